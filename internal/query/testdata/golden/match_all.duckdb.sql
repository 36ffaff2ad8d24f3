-- search on logs: *
TRUE
-- args:
