package clickhouse

import "strings"

// renames maps the schema's table names to those storage::clickhouse::
// tables configures, for the names that differ; nil when none does.
func renames(names map[string]string) map[string]string {
	var out map[string]string
	for k, v := range names {
		if k != v {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

// renameTables rewrites the schema's table names in q — SQL of the query
// package (charts, value lists, TraceQL), which names tables as the schema
// does — to the configured ones (storage::clickhouse::tables), so renamed
// tables are read everywhere. Only identifiers change: string literals,
// qualified names (after a dot) and other words are copied as they are.
func (s *Store) renameTables(q string) string {
	if s.renamed == nil {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(q) && q[j] != '\'' {
				if q[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(q))
			b.WriteString(q[i:j])
			i = j
		case c == '"' || c == '`':
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			name := q[i+1 : i+1+j]
			if to, ok := s.renamed[name]; ok && !afterDot(q, i) {
				b.WriteString(ident(to))
			} else {
				b.WriteString(q[i : i+j+2])
			}
			i += j + 2
		case isWordByte(c):
			j := i
			for j < len(q) && isWordByte(q[j]) {
				j++
			}
			word := q[i:j]
			if to, ok := s.renamed[word]; ok && !afterDot(q, i) && (i == 0 || !isWordByte(q[i-1])) {
				b.WriteString(ident(to))
			} else {
				b.WriteString(word)
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// afterDot reports whether the identifier at i is qualified (a.b).
func afterDot(q string, i int) bool {
	for i > 0 && q[i-1] == ' ' {
		i--
	}
	return i > 0 && q[i-1] == '.'
}
