-- search on logs: ServiceName:check_out%
ServiceName ILIKE ?
-- args:
string "%check\\_out\\%%"
