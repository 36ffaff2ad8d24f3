package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// encodeStd is what streamRows wrote for a row before appendRow.
func encodeStd(t testing.TB, r store.Row) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAppendRowMatchesEncodingJSON: appendRow writes exactly encoding/json's
// bytes for every value type a trace row holds (strings with every kind of
// escape, integers, times, string maps, their slices, nil and empty ones),
// and declines (ok false, nothing appended) rows holding other types or
// times encoding/json formats differently, which streamRows then encodes
// with encoding/json: its output is the same either way.
func TestAppendRowMatchesEncodingJSON(t *testing.T) {
	ts := time.Date(2026, 12, 6, 19, 0, 0, 123456789, time.UTC)
	odd := "a\"b\\c\n\r\t\b\f\x00\x1f\x7f<>&\u2028\u2029é😀\xff\xc3(end"
	span := store.Row{
		"Timestamp": ts, "TraceId": "0123456789abcdef0123456789abcdef", "SpanName": odd, "Duration": uint64(1234567),
		"SpanAttributes":  map[string]string{"http.url": "https://x/?a=1&b=<2>", "z": "", odd: odd},
		"ScopeAttributes": map[string]string{}, "ResourceAttributes": map[string]string(nil),
		"Events.Timestamp": []time.Time{ts, ts.Add(time.Second)}, "Events.Name": []string{"e1", odd},
		"Events.Attributes": []map[string]string{{"k": "v"}, {}, nil}, "Events.DroppedAttributesCount": []uint64{0, 7},
		"Links.TraceId": []string{}, "Links.Flags": []uint64(nil), "Links.Attributes": []map[string]string(nil),
		"TraceFlags": uint64(1), "n32": int32(-5), "u32": uint32(5), "i": -3, "i64": int64(-1 << 62), "b": true, "nil": nil,
		"Events.None": []time.Time(nil),
	}
	tests := []struct {
		name string
		row  store.Row
		ok   bool
	}{
		{"span", span, true},
		{"empty", store.Row{}, true},
		{"nil row", nil, true},
		{"epoch and year 9999", store.Row{"a": time.Unix(0, 0).UTC(), "b": time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}, true},
		{"float: declined", store.Row{"a": "x", "f": 1.5}, false},
		{"time not in UTC: declined", store.Row{"t": ts.In(time.FixedZone("x", 3600))}, false},
		{"a time not in UTC in a slice: declined", store.Row{"s": []time.Time{ts, ts.Local()}}, false},
		{"any slice: declined", store.Row{"l": []any{"a", 1}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := appendRow([]byte("prefix"), tc.row)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if !ok {
				if string(got) != "prefix" {
					t.Fatalf("declined but appended %q", got)
				}
			} else if want := "prefix" + string(encodeStd(t, tc.row)); string(got) != want {
				t.Fatalf("appendRow:\n%s\nencoding/json:\n%s", got, want)
			}
			// streamRows: the same bytes as encoding/json row by row.
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			rows := []store.Row{tc.row, span, tc.row}
			if err := streamRows(&b, enc, "rows", rows); err != nil {
				t.Fatal(err)
			}
			want := `"rows":[` + string(encodeStd(t, tc.row)) + "," + string(encodeStd(t, span)) + "," + string(encodeStd(t, tc.row)) + "]"
			if b.String() != want {
				t.Fatalf("streamRows:\n%s\nwant\n%s", b.String(), want)
			}
		})
	}
}

// TestStreamRowsYear10000: a time encoding/json refuses is still refused
// (appendRow declines it; encoding/json's error ends the answer).
func TestStreamRowsYear10000(t *testing.T) {
	enc := json.NewEncoder(&bytes.Buffer{})
	err := streamRows(&bytes.Buffer{}, enc, "rows", []store.Row{{"s": []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}})
	if err == nil || !strings.Contains(err.Error(), "year outside of range") {
		t.Fatalf("err %v, want encoding/json's year error", err)
	}
}

// FuzzAppendJSONString: any string is quoted as encoding/json quotes it
// (HTML escaping off).
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"\\\n\x00\x7f", "\u2028\u2029", "\xff\xfe", "é😀", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := appendRow(nil, store.Row{s: s, "m": map[string]string{s: s}, "l": []string{s}})
		want := encodeStd(t, store.Row{s: s, "m": map[string]string{s: s}, "l": []string{s}})
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("%q: appendRow %q (ok %v), encoding/json %q", s, got, ok, want)
		}
		if strings.Contains(string(got), "\\u003c") {
			t.Fatalf("%q: HTML-escaped: %q", s, got)
		}
	})
}
