package query

import (
	"strings"
	"unicode/utf8"
)

type sqlTokKind int

const (
	sqlEOF sqlTokKind = iota
	sqlIdent
	sqlQuotedIdent
	sqlString
	sqlNumber
	sqlPunct
	// sqlDuration is a number with a duration unit (200ms).
	sqlDuration
)

// sqlTok is one token of SQL WHERE mode. For sqlString, text is the decoded
// content; for sqlIdent, the identifier as written; for sqlPunct, the operator.
type sqlTok struct {
	kind sqlTokKind
	text string
	pos  int
}

// forbiddenSQL are words that can only be used to escape a WHERE expression.
var forbiddenSQL = map[string]bool{
	"SELECT": true, "UNION": true, "FROM": true, "WITH": true, "INSERT": true,
	"UPDATE": true, "DELETE": true, "DROP": true, "CREATE": true, "ALTER": true,
	"ATTACH": true, "DETACH": true, "COPY": true, "PRAGMA": true, "EXCEPT": true,
	"INTERSECT": true, "INTO": true, "SET": true, "CALL": true, "EXECUTE": true,
	"LOAD": true, "INSTALL": true, "GRANT": true, "TRUNCATE": true, "EXPORT": true,
	"IMPORT": true, "SETTINGS": true, "FORMAT": true, "LIMIT": true, "ORDER": true,
	"GROUP": true, "HAVING": true, "JOIN": true, "WINDOW": true, "OVER": true,
}

// lexSQL tokenizes a SQL WHERE expression. Comments, semicolons, parameter
// placeholders and statement keywords are rejected here.
func lexSQL(src string) ([]sqlTok, error) {
	var toks []sqlTok
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case isSpaceAt(src, i):
			_, n := utf8.DecodeRuneInString(src[i:])
			i += n
		case c == '-' && i+1 < len(src) && src[i+1] == '-', c == '/' && i+1 < len(src) && src[i+1] == '*', c == '#':
			return nil, synErr(i, "comments are not allowed")
		case c == ';':
			return nil, synErr(i, "semicolons are not allowed: only a single WHERE expression")
		case c == '?' || c == '$' || c == '{':
			return nil, synErr(i, "parameter placeholders are not allowed: write literal values")
		case c == '\'':
			s, end, err := lexSQLString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, sqlTok{kind: sqlString, text: s, pos: i})
			i = end
		case c == '"' || c == '`':
			end := strings.IndexByte(src[i+1:], c)
			if end < 0 {
				return nil, synErr(i, "unterminated quoted identifier starting at position %d", i)
			}
			toks = append(toks, sqlTok{kind: sqlQuotedIdent, text: src[i+1 : i+1+end], pos: i})
			i += end + 2
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					j = k
					for j < len(src) && src[j] >= '0' && src[j] <= '9' {
						j++
					}
				}
			}
			if u := durationUnitAt(src, j); u > 0 && !strings.ContainsAny(src[i:j], "eE") && strings.Count(src[i:j], ".") <= 1 {
				toks = append(toks, sqlTok{kind: sqlDuration, text: src[i : j+u], pos: i})
				i = j + u
				continue
			}
			if j < len(src) && isIdentByte(src[j]) {
				return nil, synErr(i, "malformed number %q", src[i:j+1])
			}
			if strings.Count(src[i:j], ".") > 1 {
				return nil, synErr(i, "malformed number %q", src[i:j])
			}
			toks = append(toks, sqlTok{kind: sqlNumber, text: src[i:j], pos: i})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(src) && (isIdentByte(src[j]) || src[j] == '.' && j+1 < len(src) && isIdentByte(src[j+1])) {
				j++
			}
			word := src[i:j]
			if strings.EqualFold(word, "SELECT") {
				return nil, synErr(i, "subqueries (SELECT) are not allowed: only a WHERE expression is accepted")
			}
			if forbiddenSQL[strings.ToUpper(word)] {
				return nil, synErr(i, "%s is not allowed: only a WHERE expression is accepted", strings.ToUpper(word))
			}
			toks = append(toks, sqlTok{kind: sqlIdent, text: word, pos: i})
			i = j
		default:
			op := ""
			for _, o := range [...]string{"<=", ">=", "!=", "<>", "==", "=", "<", ">", "(", ")", ",", "[", "]", "-", "+"} {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, synErr(i, "unexpected character %q", r)
			}
			toks = append(toks, sqlTok{kind: sqlPunct, text: op, pos: i})
			i += len(op)
		}
	}
	return append(toks, sqlTok{kind: sqlEOF, pos: len(src)}), nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// lexSQLString decodes a single-quoted string: two single quotes and \' are quotes, \\ is a
// backslash; any other backslash is kept (so LIKE escapes such as \_ survive).
func lexSQLString(src string, start int) (string, int, error) {
	var b strings.Builder
	i := start + 1
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\'' && i+1 < len(src) && src[i+1] == '\'':
			b.WriteByte('\'')
			i += 2
		case c == '\'':
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(src):
			if src[i+1] == '\'' || src[i+1] == '\\' {
				b.WriteByte(src[i+1])
			} else {
				b.WriteString(src[i : i+2])
			}
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, synErr(start, "unterminated string starting at position %d", start)
}

// durationUnitAt returns the length of the duration unit (ns, us, µs, ms,
// s, m, h) that starts at src[j] and ends a word, or 0.
func durationUnitAt(src string, j int) int {
	for _, u := range durationUnits {
		if strings.HasPrefix(src[j:], u.suffix) {
			k := j + len(u.suffix)
			if k == len(src) || !isIdentByte(src[k]) {
				return len(u.suffix)
			}
		}
	}
	return 0
}
