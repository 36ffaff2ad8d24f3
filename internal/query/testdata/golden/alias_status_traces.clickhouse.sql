-- search on traces: status:error
StatusCode = ?
-- args:
string "Error"
