package otlpguard

import (
	"fmt"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// refWalk is the walker with every tag, length and value read by
// protowire: the definition walk's inline paths must agree with, in
// result (error text included) and in the items counted.
func (w *walker) refWalk(k kind, b []byte, off, depth int) error {
	w.items++
	if w.l.MaxItems > 0 && w.items > w.l.MaxItems {
		return itemsError(w.l)
	}
	if k == kArrayValue || k == kKVList {
		depth++
		if depth > w.l.MaxDepth {
			if w.l.MaxDepth == hardMaxDepth {
				return fmt.Errorf("%w: values nested deeper than %d levels", ErrMalformed, hardMaxDepth)
			}
			return depthError(w.l)
		}
	}
	for pos := 0; pos < len(b); {
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return malformed(off+pos, protowire.ParseError(n))
		}
		pos += n
		if typ == protowire.BytesType {
			if c := child(k, num); c != kNone {
				v, m := protowire.ConsumeBytes(b[pos:])
				if m < 0 {
					return malformed(off+pos, protowire.ParseError(m))
				}
				if err := w.refWalk(c, v, off+pos+m-len(v), depth); err != nil {
					return err
				}
				pos += m
				continue
			}
		}
		m := protowire.ConsumeFieldValue(num, typ, b[pos:])
		if m < 0 {
			return malformed(off+pos, protowire.ParseError(m))
		}
		pos += m
	}
	return nil
}

// compareWalks runs both walkers over b and fails t if they disagree.
func compareWalks(t *testing.T, root kind, b []byte, l Limits) {
	t.Helper()
	fast, ref := walker{l: l}, walker{l: l}
	ferr, rerr := fast.walk(root, b, 0, 0), ref.refWalk(root, b, 0, 0)
	if fmt.Sprint(ferr) != fmt.Sprint(rerr) || fast.items != ref.items {
		t.Fatalf("% x:\nwalk:    %v (%d items)\nrefWalk: %v (%d items)", b, ferr, fast.items, rerr, ref.items)
	}
}

func TestWalkAgreesWithProtowire(t *testing.T) {
	big := benchLogsRequest(t)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"logs request", big},
		{"field number 0", []byte{0x02, 0x00}},
		{"two-byte tag", []byte{0x82, 0x7d, 0x00}}, // field 2000, bytes, length 0
		{"varint field of 10 bytes", []byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"varint overflow", []byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}},
		{"varint cut", []byte{0x08, 0x80}},
		{"fixed64 cut", []byte{0x09, 1, 2, 3}},
		{"fixed32 cut", []byte{0x0d, 1, 2}},
		{"fixed64", []byte{0x09, 1, 2, 3, 4, 5, 6, 7, 8}},
		{"length past the end", []byte{0x0a, 0x05, 0x12}},
		{"inner length past the end", []byte{0x0a, 0x02, 0x12, 0x7f}},
		{"two-byte length", append([]byte{0x0a, 0x80, 0x01}, make([]byte, 128)...)},
		{"group", []byte{0x0b, 0x08, 0x01, 0x0c}},
		{"unterminated group", []byte{0x0b, 0x08, 0x01}},
		{"wire type 6", []byte{0x0e}},
		{"tag cut", []byte{0x80}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, root := range []kind{kLogsReq, kTracesReq, kMetricsReq} {
				compareWalks(t, root, tc.b, Limits{MaxDepth: 4, MaxItems: 1 << 20})
				compareWalks(t, root, tc.b, Limits{MaxDepth: hardMaxDepth, MaxItems: 50})
			}
		})
	}
	// Every prefix of a real request: cuts in each place a field can be cut.
	for i := range min(len(big), 3000) {
		compareWalks(t, kLogsReq, big[:i], Limits{MaxDepth: 4, MaxItems: 1 << 20})
	}
}

func FuzzWalkAgreesWithProtowire(f *testing.F) {
	f.Add(benchLogsRequest(f)[:600], uint8(0), uint16(0))
	f.Add([]byte{0x0a, 0x02, 0x12, 0x7f}, uint8(1), uint16(3))
	f.Fuzz(func(t *testing.T, b []byte, root uint8, items uint16) {
		roots := []kind{kLogsReq, kTracesReq, kMetricsReq, kAnyValue, kKeyValue}
		compareWalks(t, roots[int(root)%len(roots)], b, Limits{MaxDepth: 4, MaxItems: int(items)})
	})
}

func BenchmarkRefWalkLogs(b *testing.B) {
	req := benchLogsRequest(b)
	b.SetBytes(int64(len(req)))
	for b.Loop() {
		w := walker{l: Limits{MaxDepth: 32, MaxItems: 1 << 20}}
		if err := w.refWalk(kLogsReq, req, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}
