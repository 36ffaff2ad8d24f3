package traceql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/overlook-dev/overlook/internal/query"
)

// tokKind is a token's type.
type tokKind uint8

const (
	tEOF tokKind = iota
	tPunct
	tIdent
	tString
	tNumber
	tDuration
)

type token struct {
	kind tokKind
	pos  int
	// text is the punctuation, identifier or the unquoted string.
	text string
	num  float64
	dur  int64
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return strconv.Quote(t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// MaxQueryBytes bounds a TraceQL query's length (the API refuses longer
// ones with 400).
const MaxQueryBytes = 16 << 10

// puncts are the operators, longest first.
var puncts = []string{"&&", "||", "!=", ">=", "<=", "=~", "!~", ">>", "<<",
	"{", "}", "(", ")", ",", "|", "!", "=", ">", "<", "~"}

// durUnits are the duration suffixes and their nanoseconds.
var durUnits = []struct {
	s  string
	ns float64
}{{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}}

func synErr(pos int, format string, a ...any) error {
	return &query.SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, a...)}
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '.' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c == ':' || c == '-' || c == '/' || '0' <= c && c <= '9'
}

// lex splits s into tokens.
func lex(s string) ([]token, error) {
	if len(s) > MaxQueryBytes {
		return nil, synErr(MaxQueryBytes, "query is %d bytes, over the limit of %d: shorten it", len(s), MaxQueryBytes)
	}
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '"' || c == '`':
			str, n, err := lexString(s, i)
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tString, pos: i, text: str})
			i = n
			continue
		case '0' <= c && c <= '9' || (c == '-' || c == '.') && i+1 < len(s) && ('0' <= s[i+1] && s[i+1] <= '9'):
			t, n, err := lexNumber(s, i)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
			i = n
			continue
		case isIdentStart(c):
			j := i
			for j < len(s) {
				if isIdentChar(s[j]) {
					j++
					continue
				}
				// span."quoted key": a quoted attribute name after a scope.
				if s[j] == '"' && j > i && s[j-1] == '.' {
					str, n, err := lexString(s, j)
					if err != nil {
						return nil, err
					}
					out = append(out, token{kind: tIdent, pos: i, text: s[i:j] + str})
					i = n
					goto next
				}
				break
			}
			if !utf8.ValidString(s[i:j]) {
				return nil, synErr(i, "invalid UTF-8 in identifier")
			}
			out = append(out, token{kind: tIdent, pos: i, text: s[i:j]})
			i = j
			continue
		}
		for _, p := range puncts {
			if strings.HasPrefix(s[i:], p) {
				out = append(out, token{kind: tPunct, pos: i, text: p})
				i += len(p)
				goto next
			}
		}
		return nil, synErr(i, "unexpected character %q", rune(c))
	next:
	}
	return append(out, token{kind: tEOF, pos: len(s)}), nil
}

// lexString reads a "…" (backslash escapes) or `…` (raw) string at i.
func lexString(s string, i int) (string, int, error) {
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == q:
			if !utf8.ValidString(b.String()) {
				return "", 0, synErr(i, "invalid UTF-8 in string")
			}
			return b.String(), j + 1, nil
		case c == '\\' && q == '"':
			if j+1 >= len(s) {
				return "", 0, synErr(j, "unterminated escape in string")
			}
			j++
			switch s[j] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '\\', '"':
				b.WriteByte(s[j])
			default:
				// Keep unknown escapes (regexes: \d, \.).
				b.WriteByte('\\')
				b.WriteByte(s[j])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, synErr(i, "unterminated string: close it with %c", q)
}

// lexNumber reads a number or a duration (1.5s, 100ms, 2h) at i.
func lexNumber(s string, i int) (token, int, error) {
	j := i
	if s[j] == '-' {
		j++
	}
	if s[j] == '.' && (j == i || s[j-1] == '-') {
		j++
	}
	for j < len(s) && ('0' <= s[j] && s[j] <= '9' || s[j] == '.' || s[j] == 'e' && j+1 < len(s) && ('0' <= s[j+1] && s[j+1] <= '9' || s[j+1] == '-')) {
		if s[j] == 'e' {
			j++
		}
		j++
	}
	n, err := strconv.ParseFloat(s[i:j], 64)
	if err != nil {
		return token{}, 0, synErr(i, "invalid number %q", s[i:j])
	}
	k := j
	for k < len(s) && (s[k] >= 'a' && s[k] <= 'z' || s[k] >= utf8.RuneSelf) {
		k++
	}
	if k == j {
		return token{kind: tNumber, pos: i, text: s[i:j], num: n}, j, nil
	}
	for _, u := range durUnits {
		if s[j:k] == u.s {
			return token{kind: tDuration, pos: i, text: s[i:k], dur: int64(n * u.ns)}, k, nil
		}
	}
	return token{}, 0, synErr(j, "unknown duration unit %q: use ns, us, ms, s, m or h", s[j:k])
}
