package api

import (
	"fmt"
	"net/http"
	"unicode/utf8"
)

// invalidUTF8 names the first part of the request URL — the path (with
// its {traceId} or {id}) or a query parameter — that is not valid UTF-8,
// or returns "". Such bytes reached the database as bound parameters and
// came back as 500s ("could not bind parameter"); every name, key and
// value the API takes is text, so they are a client mistake. (JSON bodies
// need no check: the decoder replaces invalid bytes with U+FFFD.)
func invalidUTF8(r *http.Request) string {
	if !utf8.ValidString(r.URL.Path) {
		return "the path"
	}
	for k, vs := range r.URL.Query() {
		if !utf8.ValidString(k) {
			return fmt.Sprintf("parameter name %q", k)
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return fmt.Sprintf("parameter %q", k)
			}
		}
	}
	return ""
}
