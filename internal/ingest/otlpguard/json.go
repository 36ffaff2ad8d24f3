package otlpguard

import "bytes"

// jsonEnvelope is the deepest bracket nesting of an OTLP/JSON request
// outside AnyValues (request → resourceMetrics → scopeMetrics → metrics →
// histogram → dataPoints → exemplars → filteredAttributes → value is 17),
// with room to spare.
const jsonEnvelope = 32

// jsonPerLevel is the most brackets one arrayValue/kvlistValue level adds:
// {"kvlistValue":{"values":[{"key":"k","value":{...
const jsonPerLevel = 4

// ScanJSON checks an OTLP/JSON request of any signal against l, without
// decoding it: it counts arrayValue/kvlistValue levels (by key, outside
// strings), objects (as items), and bounds the raw bracket depth to what l
// allows, so that no spelling of the keys gets past it. Syntax errors are
// left to the decoder.
func ScanJSON(b []byte, l Limits) error {
	if l.MaxDepth <= 0 || l.MaxDepth > hardMaxDepth {
		l.MaxDepth = hardMaxDepth
	}
	maxBrackets := jsonEnvelope + jsonPerLevel*l.MaxDepth
	var (
		stack    []bool // per open bracket: opens an AnyValue container
		depth    int    // open AnyValue containers
		items    int
		inString bool
		escaped  bool
		strStart int
		lastStr  []byte // the last string closed, a key if ':' follows
		afterKey bool   // the last token was ':' after a container key
	)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				lastStr = b[strStart:i]
			}
			continue
		}
		switch c {
		case '"':
			inString, strStart, afterKey = true, i+1, false
		case ':':
			afterKey = containerKey(lastStr)
		case '{', '[':
			container := afterKey && c == '{'
			afterKey = false
			if len(stack) >= maxBrackets {
				return depthError(l)
			}
			stack = append(stack, container)
			if container {
				depth++
				if depth > l.MaxDepth {
					return depthError(l)
				}
			}
			if c == '{' {
				items++
				if l.MaxItems > 0 && items > l.MaxItems {
					return itemsError(l)
				}
			}
		case '}', ']':
			afterKey = false
			if n := len(stack); n > 0 {
				if stack[n-1] {
					depth--
				}
				stack = stack[:n-1]
			}
		case ' ', '\t', '\n', '\r':
		default:
			afterKey = false
		}
	}
	return nil
}

// containerKey reports whether a JSON key names an AnyValue's array or
// kvlist (pdata accepts camelCase and snake_case).
func containerKey(k []byte) bool {
	return bytes.Equal(k, []byte("arrayValue")) || bytes.Equal(k, []byte("kvlistValue")) ||
		bytes.Equal(k, []byte("array_value")) || bytes.Equal(k, []byte("kvlist_value"))
}
