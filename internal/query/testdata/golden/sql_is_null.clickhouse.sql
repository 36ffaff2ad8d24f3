-- sql on logs: TraceId IS NULL OR LogAttributes['k'] IS NOT NULL
(TraceId IS NULL OR mapContains(LogAttributes, ?))
-- args:
string "k"
