// Package replay turns the stored records of a browser session recording
// (rrweb events sent by HyperDX's session recorder as OTLP log records)
// back into rrweb events. The recorder serialises each rrweb event as JSON
// and, past 950 KiB, cuts it into chunks, one log record each, numbered by
// the attributes rr-web.event (the event within the page's recording),
// rr-web.chunk (1-based) and rr-web.total-chunks. Records arrive in
// batches, so the chunks of one event may span two pages of a read.
package replay

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// Warning says what part of a recording cannot be replayed and why.
type Warning struct {
	At      time.Time `json:"at"`
	Event   int64     `json:"event"`
	Message string    `json:"message"`
}

// Page is what Assemble makes of one page of records.
type Page struct {
	// Events are the complete rrweb events, in the records' order, each
	// the JSON object the recorder serialised.
	Events []json.RawMessage
	// Held is how many trailing records were not used: the first chunks
	// of an event whose other chunks may be on the next page. The next
	// page starts that many records earlier.
	Held int
	// Warnings name the events that could not be rebuilt.
	Warnings []Warning
}

// rrweb event types (rrweb's EventType).
const (
	typeDomContentLoaded = 0
	typeLoad             = 1
	typeFullSnapshot     = 2
	typeIncremental      = 3
	typeMeta             = 4
	typeCustom           = 5
	typePlugin           = 6
)

// Assemble rebuilds the events of recs, records in replay order (Timestamp,
// rr-web.event, rr-web.chunk). last says recs end the recording (or the
// range read): an event still missing chunks there is reported, not held.
// An event whose chunks are missing, or whose JSON is not an rrweb event,
// is skipped with a warning; the rest replays.
func Assemble(recs []store.SessionRecord, last bool) Page {
	var p Page
	for i := 0; i < len(recs); {
		r := recs[i]
		if r.Event < 0 || r.TotalChunks <= 1 {
			// One record, one event (also records without the chunk
			// attributes: a recorder that never splits).
			if r.TotalChunks > 1 || r.Chunk > 1 {
				p.warn(r, "chunk %d of %d has no event number; skipped", r.Chunk, r.TotalChunks)
			} else {
				p.add(r, r.Body)
			}
			i++
			continue
		}
		j := i + 1
		for j < len(recs) && recs[j].Event == r.Event && recs[j].Timestamp.Equal(r.Timestamp) {
			j++
		}
		group := recs[i:j]
		if j == len(recs) && !last && distinctChunks(group) < int(r.TotalChunks) && i > 0 {
			p.Held = j - i
			break
		}
		body, problem := join(group)
		if problem != "" {
			p.warn(r, "%s; skipped", problem)
		} else {
			p.add(r, body)
		}
		i = j
	}
	return p
}

// distinctChunks counts the distinct chunk numbers of group.
func distinctChunks(group []store.SessionRecord) int {
	n, prev := 0, int64(-1)
	for _, r := range group {
		if r.Chunk != prev {
			n++
			prev = r.Chunk
		}
	}
	return n
}

// join concatenates the chunks of one event in chunk order, a chunk sent
// twice counted once; problem says which chunks are missing.
func join(group []store.SessionRecord) (body, problem string) {
	total := group[0].TotalChunks
	byChunk := make(map[int64]string, len(group))
	for _, r := range group {
		if r.TotalChunks != total {
			return "", fmt.Sprintf("its chunks disagree on the chunk count (%d and %d)", total, r.TotalChunks)
		}
		if r.Chunk < 1 || r.Chunk > total {
			return "", fmt.Sprintf("chunk number %d is outside 1..%d", r.Chunk, total)
		}
		if _, dup := byChunk[r.Chunk]; !dup {
			byChunk[r.Chunk] = r.Body
		}
	}
	var missing []string
	for c := int64(1); c <= total; c++ {
		if _, ok := byChunk[c]; !ok {
			missing = append(missing, fmt.Sprint(c))
		}
	}
	if len(missing) > 0 {
		if len(missing) > 10 {
			missing = append(missing[:10], "…")
		}
		return "", fmt.Sprintf("chunk %s of %d never arrived", strings.Join(missing, ", "), total)
	}
	keys := make([]int64, 0, len(byChunk))
	for c := range byChunk {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, c := range keys {
		b.WriteString(byChunk[c])
	}
	return b.String(), ""
}

// add appends body as an event if it is one.
func (p *Page) add(r store.SessionRecord, body string) {
	if msg := check(body); msg != "" {
		p.warn(r, "%s; skipped", msg)
		return
	}
	p.Events = append(p.Events, json.RawMessage(body))
}

func (p *Page) warn(r store.SessionRecord, format string, args ...any) {
	p.Warnings = append(p.Warnings, Warning{At: r.Timestamp, Event: r.Event,
		Message: fmt.Sprintf("event %d at %s: ", r.Event, r.Timestamp.UTC().Format(time.RFC3339Nano)) + fmt.Sprintf(format, args...)})
}

// check says why body is not an rrweb event ("" if it is): a JSON object
// with a numeric type rrweb knows and a numeric timestamp.
func check(body string) string {
	var head struct {
		Type      *float64        `json:"type"`
		Timestamp *float64        `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &head); err != nil {
		return "its JSON is damaged (" + shortErr(err) + ")"
	}
	switch {
	case head.Type == nil:
		return "it has no type"
	case *head.Type != float64(int(*head.Type)) || *head.Type < typeDomContentLoaded || *head.Type > typePlugin:
		return fmt.Sprintf("its type %v is not an rrweb event type", *head.Type)
	case head.Timestamp == nil:
		return "it has no timestamp"
	}
	return ""
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// EventType reads the type of an event Assemble returned.
func EventType(ev json.RawMessage) int {
	var head struct {
		Type int `json:"type"`
	}
	_ = json.Unmarshal(ev, &head) // Assemble checked it
	return head.Type
}

// Replayable reports whether events (the first page of a recording) can
// start a replay: rrweb needs a full snapshot of the page before
// incremental changes mean anything. The message says what is missing.
func Replayable(events []json.RawMessage) string {
	for _, ev := range events {
		switch EventType(ev) {
		case typeFullSnapshot:
			return ""
		case typeIncremental:
			return "the recording's first full snapshot of the page is missing: changes before the next full snapshot cannot be shown"
		}
	}
	if len(events) == 0 {
		return ""
	}
	return "no full snapshot of the page in the first page of the recording: the player shows nothing until one arrives"
}
