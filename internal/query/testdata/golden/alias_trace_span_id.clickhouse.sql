-- search on logs: trace_id:abc span_id:def
(TraceId ILIKE ? AND SpanId ILIKE ?)
-- args:
string "%abc%"
string "%def%"
