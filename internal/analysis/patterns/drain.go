package patterns

import (
	"sort"
	"strings"
)

// Text is one text to cluster, with the number of events it stands for.
type Text struct {
	Text   string
	Weight int64
}

// Options tune Cluster; zero values take the defaults.
type Options struct {
	// Similarity is the share of a template's tokens (0 to 1) that must
	// equal a pattern's for the template to join it; default 0.5.
	Similarity float64
	// MaxCompare bounds the patterns a template is compared with (those of
	// its length and first token); default 200. Beyond it a template
	// starts a pattern of its own.
	MaxCompare int
}

// Pattern is a cluster of texts: its tokens (Wildcard where they differ).
type Pattern struct {
	Tokens []string
	// Weight is the sum of the weights of its texts; Members are the
	// indexes of its texts in Cluster's input.
	Weight  int64
	Members []int
	// loose is set when some text of the pattern had white space other
	// than single spaces, or was cut off: its LIKE then lets any text
	// separate, lead and end the tokens.
	loose bool
}

// String is the pattern as shown: the tokens separated by spaces.
func (p *Pattern) String() string { return strings.Join(p.Tokens, " ") }

// Like is the SQL LIKE pattern (escape character \) matching the texts of
// the pattern: its literal text, with each Wildcard as %.
func (p *Pattern) Like() string {
	sep := " "
	if p.loose {
		sep = "%"
	}
	var b strings.Builder
	if p.loose {
		b.WriteByte('%')
	}
	for i, t := range p.Tokens {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(strings.ReplaceAll(escapeLike(t), Wildcard, "%"))
	}
	if p.loose {
		b.WriteByte('%')
	}
	return b.String()
}

func escapeLike(s string) string {
	if !strings.ContainsAny(s, `%_\`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Literal is how many bytes of the pattern are not wildcards: patterns
// with more literal text are more specific.
func (p *Pattern) Literal() int {
	n := 0
	for _, t := range p.Tokens {
		n += len(strings.ReplaceAll(t, Wildcard, ""))
	}
	return n
}

type template struct {
	tokens  []string
	weight  int64
	members []int
	loose   bool
}

// Cluster groups texts into patterns, heaviest first (ties by text).
//
// Texts are tokenized and masked (Tokenize); equal token lists are one
// template. Templates, heaviest first, then join the most similar pattern
// of the same length and first token (Drain's fixed-depth tree, depth 2)
// when at least opts.Similarity of their tokens are equal, turning the
// tokens that differ into wildcards; otherwise they start a pattern.
func Cluster(texts []Text, opts Options) []*Pattern {
	if opts.Similarity <= 0 || opts.Similarity > 1 {
		opts.Similarity = 0.5
	}
	if opts.MaxCompare <= 0 {
		opts.MaxCompare = 200
	}
	byKey := map[string]*template{}
	var tmpls []*template
	var buf []byte
	for i, t := range texts {
		var n int
		var plain bool
		buf, n, plain = maskText(buf[:0], t.Text)
		if n == 0 {
			continue
		}
		tp := byKey[string(buf)]
		if tp == nil {
			key := string(buf)
			tp = &template{tokens: strings.Split(key, " ")}
			byKey[key] = tp
			tmpls = append(tmpls, tp)
		}
		tp.weight += max(t.Weight, 1)
		tp.members = append(tp.members, i)
		tp.loose = tp.loose || !plain
	}
	sort.SliceStable(tmpls, func(i, j int) bool {
		if tmpls[i].weight != tmpls[j].weight {
			return tmpls[i].weight > tmpls[j].weight
		}
		return strings.Join(tmpls[i].tokens, " ") < strings.Join(tmpls[j].tokens, " ")
	})
	type bucketKey struct {
		n     int
		first string
	}
	buckets := map[bucketKey][]*Pattern{}
	var out []*Pattern
	for _, tp := range tmpls {
		first := tp.tokens[0]
		if strings.Contains(first, Wildcard) {
			first = Wildcard
		}
		k := bucketKey{len(tp.tokens), first}
		var best *Pattern
		bestSim, bestParams := -1.0, -1
		for i, p := range buckets[k] {
			if i >= opts.MaxCompare {
				break
			}
			sim, params := similarity(p.Tokens, tp.tokens)
			if sim > bestSim || sim == bestSim && params > bestParams {
				best, bestSim, bestParams = p, sim, params
			}
		}
		if best != nil && (bestSim >= opts.Similarity || len(tp.tokens) == 1 && bestSim == 1) {
			for i, t := range tp.tokens {
				if !tokenMatch(best.Tokens[i], t) {
					best.Tokens[i] = Wildcard
				}
			}
			best.Weight += tp.weight
			best.Members = append(best.Members, tp.members...)
			best.loose = best.loose || tp.loose
			continue
		}
		p := &Pattern{Tokens: append([]string(nil), tp.tokens...), Weight: tp.weight, Members: tp.members, loose: tp.loose}
		buckets[k] = append(buckets[k], p)
		out = append(out, p)
	}
	// Patterns that became equal (two templates generalised alike) merge.
	merged := map[string]*Pattern{}
	final := out[:0]
	for _, p := range out {
		key := p.String()
		if m := merged[key]; m != nil {
			m.Weight += p.Weight
			m.Members = append(m.Members, p.Members...)
			m.loose = m.loose || p.loose
			continue
		}
		merged[key] = p
		final = append(final, p)
	}
	sort.SliceStable(final, func(i, j int) bool {
		if final[i].Weight != final[j].Weight {
			return final[i].Weight > final[j].Weight
		}
		return final[i].String() < final[j].String()
	})
	return final
}

// similarity is Drain's: the share of positions where the pattern's token
// matches the template's (tokenMatch), wildcard tokens of the pattern not
// counted; params is the number of the pattern's wildcard tokens
// (preferred on ties).
func similarity(pat, toks []string) (float64, int) {
	eq, params := 0, 0
	for i, t := range pat {
		if t == Wildcard {
			params++
			continue
		}
		if tokenMatch(t, toks[i]) {
			eq++
		}
	}
	return float64(eq) / float64(len(pat)), params
}

// tokenMatch reports whether tok is pat, or matches it with each Wildcard
// of pat standing for any text ("/api/products/<*>" matches
// "/api/products/ABCDEF").
func tokenMatch(pat, tok string) bool {
	if pat == tok {
		return true
	}
	if !strings.Contains(pat, Wildcard) {
		return false
	}
	pieces := strings.Split(pat, Wildcard)
	if !strings.HasPrefix(tok, pieces[0]) {
		return false
	}
	rest := tok[len(pieces[0]):]
	last := pieces[len(pieces)-1]
	for _, p := range pieces[1 : len(pieces)-1] {
		k := strings.Index(rest, p)
		if k < 0 {
			return false
		}
		rest = rest[k+len(p):]
	}
	return strings.HasSuffix(rest, last) && len(rest) >= len(last)
}

// Matches reports whether text matches p's LIKE pattern.
func Matches(p *Pattern, text string) bool {
	return likeMatch(p.Like(), text)
}

// likeMatch is SQL LIKE with escape character \: % any text, _ one
// character. Iterative with backtracking to the last %, so linear-ish.
func likeMatch(pat, s string) bool {
	p := []rune(pat)
	r := []rune(s)
	i, j := 0, 0
	starI, starJ := -1, 0
	for j < len(r) {
		if i < len(p) {
			switch c := p[i]; {
			case c == '%':
				starI, starJ = i, j
				i++
				continue
			case c == '\\' && i+1 < len(p):
				if p[i+1] == r[j] {
					i += 2
					j++
					continue
				}
			case c == '_' || c == r[j]:
				i++
				j++
				continue
			}
		}
		if starI < 0 {
			return false
		}
		i = starI + 1
		starJ++
		j = starJ
	}
	for i < len(p) && p[i] == '%' {
		i++
	}
	return i == len(p)
}
