-- series: select[0] / select[1] per bucket and group, divided after the statements below (chart_ratio.go)
-- chart: {"source":"logs","seriesReturnType":"ratio","displayType":"number","select":[ {"aggFn":"count","where":"SeverityNumber >= 17","whereLanguage":"sql"},{"aggFn":"count"}]}
-- statement 1, columns [0 2 2]
SELECT __b, CAST(count(*) FILTER (WHERE __c0) AS DOUBLE), CAST(count(*) AS DOUBLE) FROM (SELECT 0 AS __b, NULL AS __x0, coalesce(SeverityNumber >= ?, FALSE) AS __c0, NULL AS __x1, epoch_ns(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
int64 17
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 500001
