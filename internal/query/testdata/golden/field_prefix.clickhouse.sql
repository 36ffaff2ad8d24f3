-- search on logs: LogAttributes.userEmail:Braulio*
LogAttributes[?] ILIKE ?
-- args:
string "userEmail"
string "Braulio%"
