-- sql on logs: TraceId IS NULL OR LogAttributes['k'] IS NOT NULL
(TraceId IS NULL OR map_contains(LogAttributes, ?))
-- args:
string "k"
