package parts

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"
)

// TestWALAppendPieces: a record appended as pieces (its header, the
// batch's prefix and its bytes, written from the inserter's buffers
// without a copy) replays as their concatenation, and once written the
// segment keeps no reference to the inserters' buffers.
func TestWALAppendPieces(t *testing.T) {
	path := filepath.Join(t.TempDir(), walName(3))
	seg, err := openSegment(path, 3, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	records := [][][]byte{
		{[]byte("one piece")},
		{[]byte("prefix|"), []byte("batch bytes")},
		{nil, []byte("empty first piece")},
		{[]byte("p"), big},
		{[]byte("x"), nil, []byte("y"), []byte("z")},
	}
	var want [][]byte
	for i, pieces := range records {
		if err := seg.append(make([]byte, 8), pieces...); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		want = append(want, slices.Concat(pieces...))
		if i == 2 { // two group commits
			if err := seg.write(seg.take()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := seg.write(seg.take()); err != nil {
		t.Fatal(err)
	}
	for i, b := range seg.free[:cap(seg.free)] {
		if b != nil {
			t.Fatalf("the written list still references buffer %d (%d bytes)", i, len(b))
		}
	}
	if err := seg.close(); err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	n, err := replaySegment(path, func(rec []byte) error {
		got = append(got, bytes.Clone(rec))
		return nil
	})
	if err != nil || n != len(records) {
		t.Fatalf("replayed %d records (%v), want %d", n, err, len(records))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d: replayed %d bytes, want %d", i, len(got[i]), len(want[i]))
		}
	}
	if err := seg.append(make([]byte, 7), []byte("x")); err == nil {
		t.Fatal("a header of 7 bytes was taken")
	}
}
