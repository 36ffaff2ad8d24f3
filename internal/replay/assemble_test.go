package replay

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// rec is one record of event ev at t0+ms: chunk c of n.
func rec(ms int, ev, c, n int64, body string) store.SessionRecord {
	return store.SessionRecord{Timestamp: t0.Add(time.Duration(ms) * time.Millisecond), Event: ev, Chunk: c, TotalChunks: n, Body: body}
}

// split cuts body into n chunks of event ev.
func split(ms int, ev int64, body string, n int) []store.SessionRecord {
	size := (len(body) + n - 1) / n
	var out []store.SessionRecord
	for i := 0; i < n; i++ {
		lo, hi := min(i*size, len(body)), min((i+1)*size, len(body))
		out = append(out, rec(ms, ev, int64(i+1), int64(n), body[lo:hi]))
	}
	return out
}

const (
	meta = `{"type":4,"data":{"href":"http://x/","width":800,"height":600},"timestamp":1}`
	full = `{"type":2,"data":{"node":{"type":0,"childNodes":[],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":2}`
	incr = `{"type":3,"data":{"source":2,"type":2,"id":7,"x":10,"y":20},"timestamp":3}`
)

func cat(parts ...[]store.SessionRecord) []store.SessionRecord {
	var out []store.SessionRecord
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestAssemble(t *testing.T) {
	for _, tc := range []struct {
		name     string
		recs     []store.SessionRecord
		last     bool
		events   []string
		held     int
		warnings []string // substrings, one per warning
	}{
		{name: "single records", last: true,
			recs:   []store.SessionRecord{rec(0, 1, 1, 1, meta), rec(1, 2, 1, 1, full), rec(2, 3, 1, 1, incr)},
			events: []string{meta, full, incr}},
		{name: "chunked event reassembled", last: true,
			recs:   cat([]store.SessionRecord{rec(0, 1, 1, 1, meta)}, split(1, 2, full, 3), []store.SessionRecord{rec(2, 3, 1, 1, incr)}),
			events: []string{meta, full, incr}},
		{name: "chunks out of order and repeated", last: true,
			recs: func() []store.SessionRecord {
				c := split(1, 2, full, 3)
				return []store.SessionRecord{c[2], c[0], c[1], c[0]}
			}(),
			events: []string{full}},
		{name: "records without chunk attributes", last: true,
			recs:   []store.SessionRecord{rec(0, -1, -1, -1, meta), rec(1, -1, -1, -1, full)},
			events: []string{meta, full}},
		{name: "trailing partial event held for the next page", last: false,
			recs:   cat([]store.SessionRecord{rec(0, 1, 1, 1, meta)}, split(1, 2, full, 3)[:2]),
			events: []string{meta}, held: 2},
		{name: "trailing partial event at the end is reported", last: true,
			recs:     cat([]store.SessionRecord{rec(0, 1, 1, 1, meta)}, split(1, 2, full, 3)[:2]),
			events:   []string{meta},
			warnings: []string{"event 2 at 2026-12-06T10:00:00.001Z: chunk 3 of 3 never arrived; skipped"}},
		{name: "missing middle chunk", last: true,
			recs: func() []store.SessionRecord {
				c := split(1, 2, full, 3)
				return []store.SessionRecord{c[0], c[2], rec(2, 3, 1, 1, incr)}
			}(),
			events:   []string{incr},
			warnings: []string{"chunk 2 of 3 never arrived"}},
		{name: "damaged JSON", last: true,
			recs:     []store.SessionRecord{rec(0, 1, 1, 1, `{"type":2,"data":`), rec(1, 2, 1, 1, incr)},
			events:   []string{incr},
			warnings: []string{"its JSON is damaged"}},
		{name: "not an rrweb event", last: true,
			recs:     []store.SessionRecord{rec(0, 1, 1, 1, `{"type":9,"timestamp":1}`), rec(1, 2, 1, 1, `{"timestamp":1}`), rec(2, 3, 1, 1, `{"type":3}`)},
			warnings: []string{"type 9 is not an rrweb event type", "it has no type", "it has no timestamp"}},
		{name: "chunk counts disagree", last: true,
			recs:     []store.SessionRecord{rec(0, 1, 1, 2, `{"type":`), rec(0, 1, 2, 3, `3}`)},
			warnings: []string{"disagree on the chunk count"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Assemble(tc.recs, tc.last)
			var got []string
			for _, e := range p.Events {
				got = append(got, string(e))
			}
			if strings.Join(got, "\n") != strings.Join(tc.events, "\n") {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.events, "\n"))
			}
			if p.Held != tc.held {
				t.Errorf("held %d, want %d", p.Held, tc.held)
			}
			if len(p.Warnings) != len(tc.warnings) {
				t.Fatalf("warnings %+v, want %d", p.Warnings, len(tc.warnings))
			}
			for i, w := range tc.warnings {
				if !strings.Contains(p.Warnings[i].Message, w) {
					t.Errorf("warning %d %q does not say %q", i, p.Warnings[i].Message, w)
				}
			}
		})
	}
}

func TestReplayable(t *testing.T) {
	for _, tc := range []struct {
		events []string
		ok     bool
	}{
		{[]string{meta, full, incr}, true},
		{[]string{meta, incr, full}, false},
		{[]string{meta}, false},
		{nil, true},
	} {
		var evs []json.RawMessage
		for _, e := range tc.events {
			evs = append(evs, json.RawMessage(e))
		}
		if got := Replayable(evs) == ""; got != tc.ok {
			t.Errorf("Replayable(%v) ok=%v, want %v", tc.events, got, tc.ok)
		}
	}
}

// FuzzAssemble: whatever the records hold, Assemble never panics, returns
// only valid JSON objects, and accounts for every record: used, held or
// warned about.
func FuzzAssemble(f *testing.F) {
	f.Add(full, uint8(3), uint8(0), false)
	f.Add(meta, uint8(1), uint8(1), true)
	f.Add(`{"type":2,"data":"\u00e9"}`, uint8(4), uint8(2), true)
	f.Add(`{"type":`, uint8(2), uint8(1), false)
	f.Fuzz(func(t *testing.T, body string, n, drop uint8, last bool) {
		chunks := int(n%8) + 1
		recs := cat([]store.SessionRecord{rec(0, 1, 1, 1, meta)}, split(1, 2, body, chunks), []store.SessionRecord{rec(2, 3, 1, 1, body)})
		if d := int(drop) % (len(recs) + 1); d < len(recs) && drop%2 == 1 {
			recs = append(recs[:d], recs[d+1:]...)
		}
		p := Assemble(recs, last)
		for _, e := range p.Events {
			if !json.Valid(e) {
				t.Fatalf("invalid JSON event %q", e)
			}
		}
		if p.Held < 0 || p.Held > len(recs) {
			t.Fatalf("held %d of %d records", p.Held, len(recs))
		}
		if last && p.Held != 0 {
			t.Fatalf("held %d records of the last page", p.Held)
		}
	})
}
