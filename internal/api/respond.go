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

// writeJSON writes v as the JSON answer; an answer larger than the
// route's response cap is replaced by a 422 that says how to narrow it.
func writeJSON(w http.ResponseWriter, code int, v any) {
	max := maxResponseOf(w)
	b, err := encodeCapped(v, max)
	if errors.Is(err, errTooLarge) {
		code, b = http.StatusUnprocessableEntity, &cappedBuffer{max: max}
		_ = json.NewEncoder(&b.buf).Encode(errorBody{Error: tooLargeMessage(max)})
	} else if err != nil {
		code, b = http.StatusInternalServerError, &cappedBuffer{max: max}
		_ = json.NewEncoder(&b.buf).Encode(errorBody{Error: "encode the response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = b.buf.WriteTo(w) // the client went away; nothing else to do
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
