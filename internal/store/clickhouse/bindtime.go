package clickhouse

import (
	"strings"
	"time"
)

// bindTimes rewrites the positional placeholders of time.Time arguments
// to fromUnixTimestamp64Nano(toInt64(?)) with the time as ns since the
// epoch: clickhouse-go binds a time.Time positionally at second
// precision (toDateTime('…')), which would move a nanosecond range bound.
// Placeholders inside quoted strings and identifiers are left alone, as
// clickhouse-go leaves them.
func bindTimes(q string, args []any) (string, []any) {
	has := false
	for _, a := range args {
		if _, ok := a.(time.Time); ok {
			has = true
			break
		}
	}
	if !has {
		return q, args
	}
	out := make([]any, len(args))
	copy(out, args)
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(q) {
				i++
				b.WriteByte(q[i])
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '`' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == '?':
			if n < len(out) {
				if t, ok := out[n].(time.Time); ok {
					b.WriteString("fromUnixTimestamp64Nano(toInt64(?))")
					out[n] = t.UnixNano()
					n++
					continue
				}
			}
			n++
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), out
}
