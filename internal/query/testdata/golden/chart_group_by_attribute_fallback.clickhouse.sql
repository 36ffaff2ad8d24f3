-- chart: {"source":"logs","select":[{"aggFn":"count"}],"groupBy":["service","k8s.pod.name"]}
-- statement 1, columns [0 1 1 2]
SELECT __b, __g0, __g1, toFloat64(count()) FROM (SELECT intDiv(toUnixTimestamp64Nano(Timestamp), ?) * ? AS __b, coalesce(ServiceName, '') AS __g0, multiIf(mapContains(LogAttributes, ?), LogAttributes[?], mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?]) AS __g1, NULL AS __x0, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b, __g0, __g1 LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "k8s.pod.name"
string "k8s.pod.name"
string "k8s.pod.name"
string "k8s.pod.name"
string "k8s.pod.name"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 500001
