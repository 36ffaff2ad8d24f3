package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/overlook-dev/overlook/internal/store"
)

// DefaultMaxResponseBytes bounds one API response body: 32 MiB holds a
// search of the maximum 10,000 rows of typical 2–3 KB, or a Prometheus
// range query of 11,000 points for ~150 series, while one answer can no
// longer hold the server's memory (a PromQL range answer of 146 MB was
// seen, issue 9 finding 10) or a browser tab.
const DefaultMaxResponseBytes = 32 << 20

// errTooLarge is returned by a cappedBuffer that would grow past its cap.
var errTooLarge = errors.New("response too large")

// cappedBuffer holds a response body up to max bytes. Encoding into it
// stops at the first write past the cap, so an oversized answer costs at
// most max bytes plus the item being encoded, and nothing has been sent
// yet when it is refused.
type cappedBuffer struct {
	buf bytes.Buffer
	max int64
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if int64(c.buf.Len())+int64(len(p)) > c.max {
		return 0, errTooLarge
	}
	return c.buf.Write(p)
}

// tooLargeMessage names the limit, its key and how to narrow the query.
func tooLargeMessage(max int64) string {
	return fmt.Sprintf("response is larger than the limit of %d bytes (extensions::overlook::query::max_response_bytes): "+
		"narrow the time range, add filters, lower the limit, or raise the limit", max)
}

// streamer is a response that encodes itself item by item (row lists),
// so that encoding can stop as soon as the cap is passed.
type streamer interface {
	stream(w io.Writer, enc *json.Encoder) error
}

// encodeCapped encodes v into a buffer of at most max bytes.
func encodeCapped(v any, max int64) (*cappedBuffer, error) {
	b := &cappedBuffer{max: max}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	var err error
	if s, ok := v.(streamer); ok {
		err = s.stream(b, enc)
	} else {
		err = enc.Encode(v)
	}
	return b, err
}

// maxResponseOf is the cap of w: the route's when w is a route's writer.
func maxResponseOf(w http.ResponseWriter) int64 {
	if r, ok := w.(*statusRecorder); ok && r.maxBytes > 0 {
		return r.maxBytes
	}
	return DefaultMaxResponseBytes
}

// streamRows writes `"key":[row,row,...]`.
func streamRows(w io.Writer, enc *json.Encoder, key string, rows []store.Row) error {
	if _, err := io.WriteString(w, `"`+key+`":[`); err != nil {
		return err
	}
	var buf []byte
	for i, r := range rows {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		// Rows of the usual types without reflection (rowjson.go: the
		// same bytes as enc.Encode); any other row through enc.
		var ok bool
		if buf, ok = appendRow(buf[:0], r); ok {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			continue
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]")
	return err
}

func (r searchResponse) stream(w io.Writer, enc *json.Encoder) error {
	if _, err := io.WriteString(w, "{"); err != nil {
		return err
	}
	if err := streamRows(w, enc, "rows", r.Rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, `,"count":%d}`+"\n", r.Count)
	return err
}

func (r traceResponse) stream(w io.Writer, enc *json.Encoder) error {
	if _, err := fmt.Fprintf(w, `{"traceId":%q,`, r.TraceID); err != nil {
		return err
	}
	if err := streamRows(w, enc, "spans", r.Spans); err != nil {
		return err
	}
	_, err := io.WriteString(w, "}\n")
	return err
}

func (r traceLogsResponse) stream(w io.Writer, enc *json.Encoder) error {
	if _, err := fmt.Fprintf(w, `{"traceId":%q,`, r.TraceID); err != nil {
		return err
	}
	if err := streamRows(w, enc, "rows", r.Rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, `,"count":%d}`+"\n", r.Count)
	return err
}
