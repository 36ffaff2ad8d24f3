-- search on logs: service:checkout
ServiceName ILIKE ? ESCAPE '\'
-- args:
string "%checkout%"
