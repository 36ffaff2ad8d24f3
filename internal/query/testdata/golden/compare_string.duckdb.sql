-- search on logs: ServiceName:>m
ServiceName > ?
-- args:
string "m"
