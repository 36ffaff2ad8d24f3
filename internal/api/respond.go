package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// errorBody is every error response: a message that names the problem and
// the fix, and for query syntax errors the 0-based position.
type errorBody struct {
	Error    string `json:"error"`
	Position *int   `json:"position,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client went away; nothing else to do
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}

func writeErrorAt(w http.ResponseWriter, code int, msg string, pos int) {
	writeJSON(w, code, errorBody{Error: msg, Position: &pos})
}

// decodeBody decodes a JSON request body into v, rejecting unknown fields
// and oversized bodies with messages that say what to fix.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body is larger than %d bytes", tooBig.Limit))
		case errors.Is(err, io.EOF):
			writeError(w, http.StatusBadRequest, "request body is empty: send a JSON object")
		default:
			writeError(w, http.StatusBadRequest, "invalid JSON request body: "+err.Error())
		}
		return false
	}
	return true
}
