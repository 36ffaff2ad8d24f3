package parts

import (
	"testing"
)

// TestMappedBytes: MappedBytes counts exactly what the parts store maps
// outside the Go heap (the heads' and cut parts' chunks and sort indexes,
// the writers' page arenas) and is back where it started once a table
// has written its parts and closed: nothing leaks, and /debug/memory's
// figure is the store's real share.
func TestMappedBytes(t *testing.T) {
	before := MappedBytes()
	c, err := allocChunk(3 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if got := MappedBytes() - before; got != 3<<20 {
		t.Fatalf("a 3 MiB chunk adds %d bytes, want %d", got, 3<<20)
	}
	if err := freeChunk(c); err != nil {
		t.Fatal(err)
	}
	if got := MappedBytes(); got != before {
		t.Fatalf("%d bytes mapped after the chunk is freed, want %d", got, before)
	}

	p := newPartBuf(100)
	if err := p.growRows(5000); err != nil {
		t.Fatal(err)
	}
	if got := MappedBytes() - before; got < int64(5000*rowRefBytes) {
		t.Fatalf("a sort index of 5000 rows maps %d bytes, want at least %d", got, 5000*rowRefBytes)
	}
	if err := p.free(); err != nil {
		t.Fatal(err)
	}
	if got := MappedBytes(); got != before {
		t.Fatalf("%d bytes mapped after the part buffer is freed, want %d", got, before)
	}

	for _, kind := range []Kind{Traces, Logs} {
		tb := open(t, Config{Dir: t.TempDir(), Kind: kind, PartRows: 300})
		for seed := range 4 {
			if err := insert(t, tb, seed, 200); err != nil {
				t.Fatal(err)
			}
		}
		if MappedBytes() == before {
			t.Errorf("%v: nothing mapped while the head holds rows", kind)
		}
		if err := tb.Close(); err != nil {
			t.Fatal(err)
		}
		if st := MappedBytes(); st != before {
			t.Errorf("%v: %d bytes mapped after Close, want %d", kind, st, before)
		}
	}
}
