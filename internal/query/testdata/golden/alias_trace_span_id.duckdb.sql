-- search on logs: trace_id:abc span_id:def
(TraceId ILIKE ? ESCAPE '\' AND SpanId ILIKE ? ESCAPE '\')
-- args:
string "%abc%"
string "%def%"
