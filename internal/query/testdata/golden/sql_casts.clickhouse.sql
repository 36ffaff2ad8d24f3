-- sql on logs: toString(SeverityNumber) = '1' AND CAST(LogAttributes['n'] AS Int64) > 1 AND toFloat64OrNull(LogAttributes['f']) < 2.5
(toString(SeverityNumber) = ? AND toInt64OrNull(LogAttributes[?]) > ? AND toFloat64OrNull(LogAttributes[?]) < ?)
-- args:
string "1"
string "n"
int64 1
string "f"
float64 2.5
