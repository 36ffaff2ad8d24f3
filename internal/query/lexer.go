package query

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanner is the character-level reader of the search language. The grammar
// is context-sensitive (a ':' ends a field name but is part of a value, '['
// starts a range only right after ':'), so the parser drives the scanner
// directly instead of consuming a token stream.
type scanner struct {
	src string
	pos int
}

func (s *scanner) eof() bool { return s.pos >= len(s.src) }

func (s *scanner) peek() byte {
	if s.pos >= len(s.src) {
		return 0
	}
	return s.src[s.pos]
}

func (s *scanner) peekAt(i int) byte {
	if s.pos+i >= len(s.src) {
		return 0
	}
	return s.src[s.pos+i]
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.src) {
		r, n := utf8.DecodeRuneInString(s.src[s.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		s.pos += n
	}
}

func isSpaceAt(src string, i int) bool {
	if i >= len(src) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return unicode.IsSpace(r)
}

// word is an unquoted term as scanned: the text split at unescaped '*'
// (escapes already removed), so len(pieces) > 1 means it has wildcards.
type word struct {
	start, end int
	pieces     []string
	// colon is true when the word ended at an unescaped ':' (a field name).
	colon bool
	// escaped is true when any character was escaped (so "AND" written as
	// "\AND" is a word, not a keyword).
	escaped bool
}

func (w word) text() string { return strings.Join(w.pieces, "*") }

func (w word) isWild() bool { return len(w.pieces) > 1 }

// isBareStar reports whether the word is exactly an unescaped "*".
func (w word) isBareStar() bool {
	return len(w.pieces) == 2 && w.pieces[0] == "" && w.pieces[1] == ""
}

// readWord scans an unquoted word. It stops at whitespace, parentheses, at an
// unescaped ':' when stopColon is set, and at any byte in extraStops.
// A backslash escapes the next character (including space, ':', '*', '"').
func (s *scanner) readWord(stopColon bool, extraStops string) (word, error) {
	w := word{start: s.pos}
	var cur strings.Builder
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if c == '\\' {
			if s.pos+1 >= len(s.src) {
				return w, synErr(s.pos, "dangling escape character '\\' at end of input")
			}
			_, n := utf8.DecodeRuneInString(s.src[s.pos+1:])
			cur.WriteString(s.src[s.pos+1 : s.pos+1+n])
			s.pos += 1 + n
			w.escaped = true
			continue
		}
		if c == '(' || c == ')' || isSpaceAt(s.src, s.pos) || strings.IndexByte(extraStops, c) >= 0 {
			break
		}
		if c == ':' && stopColon {
			w.colon = true
			break
		}
		if c == '*' {
			w.pieces = append(w.pieces, cur.String())
			cur.Reset()
			s.pos++
			continue
		}
		_, n := utf8.DecodeRuneInString(s.src[s.pos:])
		cur.WriteString(s.src[s.pos : s.pos+n])
		s.pos += n
	}
	w.pieces = append(w.pieces, cur.String())
	w.end = s.pos
	return w, nil
}

// readQuoted scans a double-quoted string starting at the opening quote.
// Inside, a backslash escapes the next character (\" and \\).
func (s *scanner) readQuoted() (string, error) {
	open := s.pos
	s.pos++
	var b strings.Builder
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch c {
		case '\\':
			if s.pos+1 >= len(s.src) {
				return "", synErr(open, "unterminated quoted string starting at position %d", open)
			}
			_, n := utf8.DecodeRuneInString(s.src[s.pos+1:])
			b.WriteString(s.src[s.pos+1 : s.pos+1+n])
			s.pos += 1 + n
		case '"':
			s.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	return "", synErr(open, "unterminated quoted string starting at position %d", open)
}

// describeAt names the input at pos for error messages.
func describeAt(src string, pos int) string {
	if pos >= len(src) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(src[pos:])
	return "'" + string(r) + "'"
}
