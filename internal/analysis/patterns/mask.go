// Package patterns groups event texts (log bodies, span names) into
// patterns: variable parts (numbers, ids, hex, UUIDs, IPs, durations,
// emails) are masked to Wildcard by a tokenizer, then texts of the same
// shape are merged by a Drain-style clustering (He et al., "Drain: An
// Online Log Parsing Approach with Fixed Depth Tree", ICWS 2017; our own
// implementation). The package is pure: the store reads the texts and
// counts the patterns' rows (docs/analysis-api.md).
package patterns

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Wildcard stands for a variable part of a text in a pattern.
const Wildcard = "<*>"

// MaxTokens caps the tokens kept of one text: the rest is one Wildcard
// (a long stack trace is still one pattern).
const MaxTokens = 64

// maxTextBytes caps the bytes of a text tokenized.
const maxTextBytes = 4096

// delimiter reports whether c splits a token into segments that are masked
// separately ("order=123," → "order", "=", "123", ",").
func delimiter(c byte) bool {
	switch c {
	case '=', ':', ',', ';', '(', ')', '[', ']', '{', '}', '"', '\'', '<', '>', '/', '|', '?', '&', '#', '!':
		return true
	}
	return false
}

// Tokenize splits text at white space into at most MaxTokens tokens and
// masks the variable segments of each token with Wildcard. Adjacent
// wildcards of a token merge into one. It never fails: invalid UTF-8 is
// kept as bytes.
func Tokenize(text string) []string {
	key, n, _ := maskText(nil, text)
	if n == 0 {
		return nil
	}
	return strings.Split(string(key), " ")
}

// maskText appends to buf the masked tokens of text separated by single
// spaces, and returns it with the number of tokens and whether text is
// exactly its raw tokens joined by single spaces (no other white space,
// nothing cut off): only then does a pattern's LIKE separate tokens with a
// space.
func maskText(buf []byte, text string) ([]byte, int, bool) {
	plain := true
	if len(text) > maxTextBytes {
		text = text[:maxTextBytes]
		plain = false
	}
	n := 0
	i := 0
	for i < len(text) {
		if sp := spaceAt(text, i); sp > 0 {
			if text[i] != ' ' || i == 0 || i+sp == len(text) || text[i+sp] == ' ' {
				plain = false
			}
			i += sp
			continue
		}
		j := i
		for j < len(text) && spaceAt(text, j) == 0 {
			if text[j] < utf8.RuneSelf {
				j++
			} else {
				_, w := utf8.DecodeRuneInString(text[j:])
				j += w
			}
		}
		if n > 0 {
			buf = append(buf, ' ')
		}
		if n == MaxTokens-1 && strings.TrimSpace(text[j:]) != "" {
			buf = append(buf, Wildcard...)
			return buf, n + 1, false
		}
		buf = maskToken(buf, text[i:j])
		n++
		i = j
	}
	return buf, n, plain
}

// spaceAt is the length of the white-space character at text[i], or 0.
func spaceAt(text string, i int) int {
	c := text[i]
	if c < utf8.RuneSelf {
		switch c {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			return 1
		}
		return 0
	}
	r, w := utf8.DecodeRuneInString(text[i:])
	if unicode.IsSpace(r) {
		return w
	}
	return 0
}

// maskToken appends tok to buf with its variable segments masked.
func maskToken(buf []byte, tok string) []byte {
	if isDigit(tok[0]) || strings.Contains(tok, "@") && isVariable(strings.Trim(tok, "<>()[]\"',;:")) {
		// 10.0.0.1:8080, 99,812, 12.5ms, <a@b.c>: one value.
		return append(buf, Wildcard...)
	}
	start := 0
	lastWild := false
	seg := func(end int) {
		s := tok[start:end]
		if s == "" {
			return
		}
		if isVariable(s) {
			if !lastWild {
				buf = append(buf, Wildcard...)
			}
			lastWild = true
			return
		}
		buf = append(buf, s...)
		lastWild = false
	}
	for k := 0; k < len(tok); k++ {
		if delimiter(tok[k]) {
			seg(k)
			buf = append(buf, tok[k])
			lastWild = false
			start = k + 1
		}
	}
	seg(len(tok))
	return buf
}

// isVariable reports whether a segment is a value rather than a word: a
// number (with a unit: 12ms, 3.5s, 80%), an IP address, a UUID or other
// hex id, an email address, or an id mixing letters and digits.
func isVariable(seg string) bool {
	if seg == "" || seg == Wildcard {
		return false
	}
	s := strings.TrimRight(seg, ".")
	if s == "" {
		return false
	}
	if strings.Contains(s, "@") {
		at := strings.LastIndexByte(s, '@')
		return at > 0 && strings.Contains(s[at+1:], ".")
	}
	c := s[0]
	if c == '-' || c == '+' {
		if len(s) > 1 && isDigit(s[1]) {
			return true
		}
	}
	if isDigit(c) {
		return true
	}
	digits, hex, letters := 0, 0, 0
	for k := 0; k < len(s); k++ {
		switch b := s[k]; {
		case isDigit(b):
			digits++
		case b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F':
			hex++
			letters++
		case b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z':
			letters++
		}
	}
	if digits == 0 {
		return false
	}
	// 0x1f, deadbeef01, 6f1c…-…: hex ids.
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return true
	}
	if hex+digits+strings.Count(s, "-") == len(s) && len(s) >= 6 {
		return true
	}
	// OLJCESPC7Z, pod-7f9c8d-x2k4l, a1b2c3: ids; http2, v1, k8s, utf8 stay.
	return len(s) >= 7 || digits*2 >= len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
