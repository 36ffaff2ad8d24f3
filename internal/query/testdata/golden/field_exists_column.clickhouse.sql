-- search on logs: TraceId:*
(TraceId IS NOT NULL AND TraceId <> '')
-- args:
