package parts

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
)

// TestPageBuffer: a page buffer reads back what was written, whatever
// the write sizes and chunk boundaries, through Read and WriteTo; a
// buffer put back and reused holds only what is written after; release
// unmaps every chunk.
func TestPageBuffer(t *testing.T) {
	before := pageBytesMapped.Load()
	for _, tc := range []struct {
		name   string
		size   int
		pieces int // writes the size is cut into
	}{
		{"empty", 0, 1},
		{"small", 10, 1},
		{"a chunk less a byte", pageChunkBytes - 1, 3},
		{"one chunk", pageChunkBytes, 1},
		{"a chunk and some", pageChunkBytes + 5, 7},
		{"three chunks and some, one write", 3*pageChunkBytes + 7, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &pageArena{}
			r := rand.New(rand.NewPCG(uint64(tc.size), 1))
			want := make([]byte, tc.size)
			for i := range want {
				want[i] = byte(r.Uint32())
			}
			b := a.GetBuffer()
			for i := range tc.pieces {
				lo, hi := tc.size*i/tc.pieces, tc.size*(i+1)/tc.pieces
				if n, err := b.Write(want[lo:hi]); err != nil || n != hi-lo {
					t.Fatalf("write %d bytes: %d, %v", hi-lo, n, err)
				}
			}
			if end, err := b.Seek(0, io.SeekEnd); err != nil || end != int64(tc.size) {
				t.Fatalf("seek to the end: %d, %v; want %d", end, err, tc.size)
			}
			if off, err := b.Seek(0, io.SeekStart); err != nil || off != 0 {
				t.Fatalf("seek to the start: %d, %v", off, err)
			}
			got, err := io.ReadAll(b)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read back %d bytes (%v), want the %d written", len(got), err, len(want))
			}
			if _, err := b.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if n, err := io.Copy(&out, b); err != nil || n != int64(tc.size) || !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("copied %d bytes (%v), want the %d written", n, err, tc.size)
			}
			// Reused: only the new bytes are read back.
			a.PutBuffer(b)
			b2 := a.GetBuffer()
			if b2 != b {
				t.Fatal("a buffer put back is not reused")
			}
			if _, err := b2.Write([]byte("new")); err != nil {
				t.Fatal(err)
			}
			if _, err := b2.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(b2); err != nil || string(got) != "new" {
				t.Fatalf("reused buffer reads %q (%v), want %q", got, err, "new")
			}
			if err := a.release(); err != nil {
				t.Fatal(err)
			}
			if got := pageBytesMapped.Load(); got != before {
				t.Fatalf("%d bytes mapped after release, want %d", got, before)
			}
		})
	}
}

// TestWriterPageArena: a part writer keeps its row groups' compressed
// pages in a pageArena (mapped, off the Go heap) and unmaps it when it
// is done, whether it finished or failed; a merge too.
func TestWriterPageArena(t *testing.T) {
	dir := t.TempDir()
	before := pageBytesMapped.Load()
	write := func(path string, rows int, failAt int) error {
		at := 0
		_, err := writeParquet(path, 512, 0, 0, func(batch []LogRow) (int, error) {
			if at >= 1024 && pageBytesMapped.Load() == before {
				t.Errorf("after two row groups of %d rows, no page buffer is mapped", 512)
			}
			if failAt > 0 && at >= failAt {
				return 0, errors.New("injected")
			}
			n := 0
			for ; n < len(batch) && at < rows; n, at = n+1, at+1 {
				batch[n] = LogRow{Timestamp: int64(at), ServiceName: "svc", Body: "body of a log record"}
			}
			return n, nil
		})
		return err
	}
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	for _, p := range []string{a, b} {
		if err := write(p, 3000, 0); err != nil {
			t.Fatal(err)
		}
		if got := pageBytesMapped.Load(); got != before {
			t.Fatalf("%d bytes of page buffers mapped after a part was written, want %d", got, before)
		}
	}
	failed := filepath.Join(dir, "failed.parquet")
	if err := write(failed, 3000, 2048); err == nil {
		t.Fatal("a failed write returned no error")
	}
	if got := pageBytesMapped.Load(); got != before {
		t.Fatalf("%d bytes of page buffers mapped after a failed write, want %d", got, before)
	}
	if _, err := os.Stat(failed); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the failed write's file is left: %v", err)
	}
	out := filepath.Join(dir, "merged.parquet")
	if _, err := mergeFiles([]string{a, b}, out, 65_536, 0, 0, nil, newMetaBuilder(1, 2, 0, 16), false); err != nil {
		t.Fatal(err)
	}
	if got := pageBytesMapped.Load(); got != before {
		t.Fatalf("%d bytes of page buffers mapped after a merge, want %d", got, before)
	}
	pf := openParquet(t, out)
	if pf.NumRows() != 6000 {
		t.Fatalf("merged part has %d rows, want 6000", pf.NumRows())
	}
	rows := make([]LogRow, 6000)
	n, err := parquet.NewGenericReader[LogRow](pf).Read(rows)
	if (err != nil && !errors.Is(err, io.EOF)) || n != 6000 {
		t.Fatalf("read %d rows of the merged part: %v", n, err)
	}
	for i, r := range rows {
		if r.Timestamp != int64(i%3000) || r.Body != "body of a log record" {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
}

// TestEncoderIdleBound: the page codec keeps its idle encoders across
// garbage collections (a sync.Pool dropped and rebuilt them, ≈ 4.2 MB
// each, at every other GC) and builds no more than the pages compressed
// at once need.
func TestEncoderIdleBound(t *testing.T) {
	c := &pageCodec{window: 1 << 18, level: zstd.SpeedBetterCompression, idle: make(chan *zstd.Encoder, maxIdleEncoders)}
	page := bytes.Repeat([]byte("a span attribute value "), 1000)
	for i := range 20 {
		enc, err := c.Encode(nil, page)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := c.Decode(nil, enc)
		if err != nil || !bytes.Equal(dec, page) {
			t.Fatalf("page %d: decoded %d bytes (%v), want %d", i, len(dec), err, len(page))
		}
		runtime.GC()
		runtime.GC()
	}
	if c.built != 1 {
		t.Fatalf("%d encoders built for 20 pages compressed one at a time, want 1", c.built)
	}
}

// TestPartBufRowsMapped: a partBuf's sort index lives in its own mapping
// (off the Go heap), keeps every row through its growths, and is
// unmapped by free.
func TestPartBufRowsMapped(t *testing.T) {
	p := newPartBuf(16, nil)
	var b encBatch
	total := 0
	var marks []bufMark
	var seen []rowRef // a heap copy of the index after each add
	for i := range 12 {
		b.reset()
		b.encodeLogs(logs("svc", i, 100*(i+1)))
		marks = append(marks, p.mark())
		if err := p.add(&b); err != nil {
			t.Fatal(err)
		}
		total += 100 * (i + 1)
		// The rows added before, through the growths since, are unchanged.
		if !equalRows(p.rows[:len(seen)], seen) {
			t.Fatalf("add %d: the earlier rows changed", i)
		}
		seen = append([]rowRef(nil), p.rows...)
	}
	if len(p.rows) != total {
		t.Fatalf("%d rows, want %d", len(p.rows), total)
	}
	if unsafe.Pointer(unsafe.SliceData(p.rows)) != unsafe.Pointer(unsafe.SliceData(p.rowsMem)) ||
		cap(p.rows)*rowRefBytes > len(p.rowsMem) {
		t.Fatal("the sort index is not in its mapping")
	}
	for i, r := range p.rows {
		if r.chunk >= uint32(len(p.chunks)) || int(r.off) >= len(p.chunks[r.chunk]) {
			t.Fatalf("row %d points outside the chunks: %+v", i, r)
		}
	}
	want := p.rows[:marks[5].rows:marks[5].rows]
	wantRows := append([]rowRef(nil), want...)
	if err := p.truncate(marks[5]); err != nil {
		t.Fatal(err)
	}
	if len(p.rows) != len(wantRows) || !equalRows(p.rows, wantRows) {
		t.Fatalf("after truncate: %d rows, want the first %d", len(p.rows), len(wantRows))
	}
	if err := p.free(); err != nil {
		t.Fatal(err)
	}
	if p.rows != nil || p.rowsMem != nil {
		t.Fatal("free left the sort index")
	}
}

func equalRows(a, b []rowRef) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}
