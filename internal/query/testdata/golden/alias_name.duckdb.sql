-- search on traces: name:"GET /api"
SpanName = ?
-- args:
string "GET /api"
