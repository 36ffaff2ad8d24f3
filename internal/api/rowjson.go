package api

import (
	"maps"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/overlook-dev/overlook/internal/store"
)

// appendRow appends r as encoding/json's Encoder (SetEscapeHTML(false))
// writes it — keys sorted, the same escapes, then a newline — without
// reflection, for the value types the stores put in rows (strings,
// integers, times, string maps and their slices). ok is false, and dst
// unchanged, when a value has another type: the caller encodes that row
// with encoding/json. A trace lookup's answer was ≈ 7% of its CPU in
// encoding/json's map encoding (issue 10, docs/benchmarks.md).
func appendRow(dst []byte, r store.Row) (_ []byte, ok bool) {
	if r == nil {
		return append(dst, "null\n"...), true
	}
	start := len(dst)
	dst = append(dst, '{')
	for i, k := range slices.Sorted(maps.Keys(r)) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		if dst, ok = appendValue(dst, r[k]); !ok {
			return dst[:start], false
		}
	}
	return append(dst, '}', '\n'), true
}

func appendValue(dst []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendJSONString(dst, v), true
	case uint64:
		return strconv.AppendUint(dst, v, 10), true
	case int64:
		return strconv.AppendInt(dst, v, 10), true
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10), true
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), true
	case int:
		return strconv.AppendInt(dst, int64(v), 10), true
	case bool:
		return strconv.AppendBool(dst, v), true
	case time.Time:
		return appendJSONTime(dst, v)
	case map[string]string:
		if v == nil {
			return append(dst, "null"...), true
		}
		dst = append(dst, '{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			dst = appendJSONString(dst, v[k])
		}
		return append(dst, '}'), true
	case []string:
		return appendSlice(dst, v, func(b []byte, s string) ([]byte, bool) { return appendJSONString(b, s), true })
	case []uint64:
		return appendSlice(dst, v, func(b []byte, n uint64) ([]byte, bool) { return strconv.AppendUint(b, n, 10), true })
	case []time.Time:
		return appendSlice(dst, v, appendJSONTime)
	case []map[string]string:
		return appendSlice(dst, v, func(b []byte, m map[string]string) ([]byte, bool) { return appendValue(b, m) })
	}
	return dst, false
}

// appendSlice writes s as a JSON array (null when nil, as encoding/json).
func appendSlice[T any](dst []byte, s []T, each func([]byte, T) ([]byte, bool)) ([]byte, bool) {
	if s == nil {
		return append(dst, "null"...), true
	}
	dst = append(dst, '[')
	for i, e := range s {
		if i > 0 {
			dst = append(dst, ',')
		}
		var ok bool
		if dst, ok = each(dst, e); !ok {
			return dst, false
		}
	}
	return append(dst, ']'), true
}

// appendJSONTime writes t as time.Time's MarshalJSON does, for UTC times
// of years 0–9999 (anything else: not ok, encoding/json decides).
func appendJSONTime(dst []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 || t.Location() != time.UTC {
		return dst, false
	}
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"'), true
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s quoted with encoding/json's escapes when HTML
// escaping is off: `"` and `\`, control characters (\b \f \n \r \t
// short, others \u00XX), invalid UTF-8 as \ufffd, U+2028 and U+2029.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
