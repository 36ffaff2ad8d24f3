-- sql on logs: toString(SeverityNumber) = '1' AND CAST(LogAttributes['n'] AS Int64) > 1 AND toFloat64OrNull(LogAttributes['f']) < 2.5
(TRY_CAST(SeverityNumber AS VARCHAR) = ? AND TRY_CAST(coalesce(map_extract_value(LogAttributes, ?), '') AS BIGINT) > ? AND TRY_CAST(coalesce(map_extract_value(LogAttributes, ?), '') AS DOUBLE) < CAST(? AS DOUBLE))
-- args:
string "1"
string "n"
int64 1
string "f"
float64 2.5
