package parts

import (
	"context"
	"testing"
	"time"
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

	p := newPartBuf(100, nil)
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

// TestChunkPool: a table reuses its freed head chunks (at most
// pooledChunks kept), they stay counted in MappedBytes while pooled, and
// Close unmaps them.
func TestChunkPool(t *testing.T) {
	for _, tc := range []struct {
		maxBuffered int64
		want        int
	}{{16 << 20, 0}, {64 << 20, 2}, {128 << 20, 4}, {1 << 30, pooledChunks}} {
		if got := poolSize(tc.maxBuffered); got != tc.want {
			t.Errorf("poolSize(%d MiB) = %d, want %d", tc.maxBuffered>>20, got, tc.want)
		}
	}
	pool := chunkPool{max: pooledChunks}
	before := MappedBytes()
	var got [][]byte
	for range pooledChunks + 2 {
		c, err := pool.get(100)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, append(c, "x"...))
	}
	big, err := pool.get(chunkBytes + 1)
	if err != nil {
		t.Fatal(err)
	}
	if cap(big) <= chunkBytes {
		t.Fatalf("a chunk for %d bytes has room for %d", chunkBytes+1, cap(big))
	}
	for _, c := range append(got, big) {
		if err := pool.put(c); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(pool.free); n != pooledChunks {
		t.Fatalf("%d chunks pooled, want %d", n, pooledChunks)
	}
	if m := MappedBytes() - before; m != pooledChunks*chunkBytes {
		t.Fatalf("%d bytes mapped with the pool full, want %d", m, pooledChunks*chunkBytes)
	}
	// The last chunk put back is the next one taken, empty.
	last := &pool.free[pooledChunks-1][:1][0]
	c, err := pool.get(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != 0 || cap(c) != chunkBytes || &c[:1][0] != last {
		t.Fatalf("get after put: len %d cap %d, reused %v", len(c), cap(c), &c[:1][0] == last)
	}
	if err := pool.put(c); err != nil {
		t.Fatal(err)
	}
	if err := pool.drain(); err != nil {
		t.Fatal(err)
	}
	if m := MappedBytes(); m != before {
		t.Fatalf("%d bytes mapped after drain, want %d", m, before)
	}

	// A table's heads take chunks from its pool: after a part is written
	// the next head's first chunk is a pooled one.
	tb := open(t, Config{Dir: t.TempDir(), Kind: Logs, PartRows: 300, MaxBufferedBytes: 256 << 20})
	if err := insert(t, tb, 0, 400); err != nil {
		t.Fatal(err)
	}
	snap, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{}) // every row written into parts
	if err != nil {
		t.Fatal(err)
	}
	snap.Release()
	pooled := 0
	for deadline := time.Now().Add(10 * time.Second); pooled == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		// The flusher frees a part's chunks just after publishing it.
		tb.chunks.mu.Lock()
		pooled = len(tb.chunks.free)
		tb.chunks.mu.Unlock()
	}
	if pooled == 0 {
		t.Fatal("no chunk pooled after the head's part was written")
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	if m := MappedBytes(); m != before {
		t.Fatalf("%d bytes mapped after Close, want %d", m, before)
	}
}
