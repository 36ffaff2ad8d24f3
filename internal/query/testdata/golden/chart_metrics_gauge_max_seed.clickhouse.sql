-- chart: {"source":"metrics","where":"ServiceName:payment","select":[{"aggFn":"max","metricName":"visa_validation_cache.size","metricType":"gauge"}]}
-- statement 1, columns [0 2]
SELECT __b, toFloat64(max(__x0)) FROM (SELECT intDiv(toUnixTimestamp64Nano(TimeUnix), ?) * ? AS __b, Value AS __x0, toUnixTimestamp64Nano(TimeUnix) AS __t FROM otel_metrics_gauge WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ? AND ServiceName ILIKE ?) GROUP BY __b LIMIT ?
-- args:
int64 900000000000
int64 900000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
string "visa_validation_cache.size"
string "%payment%"
int64 500001
