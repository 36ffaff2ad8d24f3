-- search on logs: ServiceName:"checkout"
ServiceName = ?
-- args:
string "checkout"
