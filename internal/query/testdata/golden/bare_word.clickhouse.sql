-- search on logs: error
(hasTokenCaseInsensitive(Body, ?))
-- args:
string "error"
