-- search on traces: kind:SERVER
SpanKind = ?
-- args:
string "Server"
