-- search on logs: ServiceName:check_out%
ServiceName ILIKE ? ESCAPE '\'
-- args:
string "%check\\_out\\%%"
