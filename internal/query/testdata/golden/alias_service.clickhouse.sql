-- search on logs: service:checkout
ServiceName ILIKE ?
-- args:
string "%checkout%"
