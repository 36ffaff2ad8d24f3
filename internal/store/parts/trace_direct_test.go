package parts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// TestDirectMatchesParquetGo: every trace of generated data (1–12
// spans, events, links, attributes), in written and merged parts with
// pages of a few rows (traces cross pages) and of the default size, read
// by the direct reader gives exactly the rows parquet-go's row reader
// gives (parallel and serial), and the direct reader read every row group
// (declined none).
func TestDirectMatchesParquetGo(t *testing.T) {
	for _, pageBytes := range []int{256, 0} {
		t.Run(fmt.Sprintf("page-bytes-%d", pageBytes), func(t *testing.T) {
			tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 400, RowGroupRows: 128, MergeRows: 1500, PageBytes: pageBytes, FlushInterval: time.Hour})
			defer tb.Close()
			want := map[string]int{}
			for seed := range uint64(6) {
				td, w := richSpans(seed+20, 80)
				for id, n := range w {
					want[id] += n
				}
				if err := tb.InsertTraces(context.Background(), td); err != nil {
					t.Fatal(err)
				}
				if seed == 3 { // some parts merged, some not
					if sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{}); err != nil {
						t.Fatal(err)
					} else {
						sn.Release()
					}
					if err := tb.mergeAll(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{}); err != nil {
				t.Fatal(err)
			} else {
				sn.Release()
			}
			groups, declined := directStats.groups.Load(), directStats.declined.Load()
			for id, n := range want {
				direct, err := tb.TraceSpans(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				tb.files.serial.Store(true)
				serial, err := tb.TraceSpans(context.Background(), id)
				tb.files.noDirect.Store(true)
				old, err2 := tb.TraceSpans(context.Background(), id)
				tb.files.noDirect.Store(false)
				tb.files.serial.Store(false)
				if err != nil || err2 != nil {
					t.Fatal(err, err2)
				}
				if len(direct) != n || !reflect.DeepEqual(direct, old) || !reflect.DeepEqual(serial, old) {
					for i := range min(len(direct), len(old)) {
						if !reflect.DeepEqual(direct[i], old[i]) {
							t.Errorf("row %d:\n direct %#v\n old    %#v", i, direct[i], old[i])
							break
						}
					}
					t.Fatalf("trace %s: direct %d spans, parquet-go %d, want %d", id, len(direct), len(old), n)
				}
			}
			if d := directStats.declined.Load() - declined; d != 0 {
				t.Fatalf("the direct reader declined %d row groups", d)
			}
			if g := directStats.groups.Load() - groups; g < int64(2*len(want)) {
				t.Fatalf("the direct reader read %d row groups for %d traces twice", g, len(want))
			}
		})
	}
}

// TestDirectFallsBack: part files of layouts the direct reader does not
// read (v1 data pages, another codec, a dictionary-encoded TraceId, a
// schema of another column set) are read by parquet-go, with exactly the
// rows of each trace; the layouts it reads (zstd or uncompressed pages)
// are read directly.
func TestDirectFallsBack(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	rows, ids := fuzzSpanRows(r, 600, 10)
	slices.SortStableFunc(rows, func(a, b SpanRow) int { return bytes.Compare(a.TraceId, b.TraceId) })
	want := map[string]int{}
	for _, s := range rows {
		want[string(s.TraceId)]++
	}
	type dictID struct {
		Timestamp int64  `parquet:"Timestamp,timestamp(nanosecond:local),delta"`
		TraceId   []byte `parquet:"TraceId,dict"`
		SpanName  string `parquet:"SpanName,dict"`
	}
	type fewer struct { // an older column set: no links
		Timestamp      int64  `parquet:"Timestamp,timestamp(nanosecond:local),delta"`
		TraceId        []byte `parquet:"TraceId"`
		SpanName       string `parquet:"SpanName,dict"`
		SpanAttributes KV     `parquet:"SpanAttributes"`
	}
	opts := func(extra ...parquet.WriterOption) []parquet.WriterOption {
		return append([]parquet.WriterOption{parquet.PageBufferSize(2048), parquet.MaxRowsPerRowGroup(250)}, extra...)
	}
	for _, c := range []struct {
		name   string
		direct bool // read by the direct reader
		write  func(w io.Writer) error
	}{
		{"zstd-v2", true, func(w io.Writer) error {
			return writeAll(w, rows, opts(parquet.Compression(&zstd.Codec{}))...)
		}},
		{"uncompressed-v2", true, func(w io.Writer) error { return writeAll(w, rows, opts()...) }},
		{"zstd-v1", false, func(w io.Writer) error {
			return writeAll(w, rows, opts(parquet.Compression(&zstd.Codec{}), parquet.DataPageVersion(1))...)
		}},
		{"snappy-v2", false, func(w io.Writer) error {
			return writeAll(w, rows, opts(parquet.Compression(&snappy.Codec{}))...)
		}},
		{"dictionary-TraceId", false, func(w io.Writer) error {
			var d []dictID
			for _, s := range rows {
				d = append(d, dictID{s.Timestamp, s.TraceId, s.SpanName})
			}
			return writeAll(w, d, opts()...)
		}},
		{"fewer-columns", false, func(w io.Writer) error {
			var d []fewer
			for _, s := range rows {
				d = append(d, fewer{s.Timestamp, s.TraceId, s.SpanName, s.SpanAttributes})
			}
			return writeAll(w, d, opts()...)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "part-00000001-00000001.parquet")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := errors.Join(c.write(f), f.Close()); err != nil {
				t.Fatal(err)
			}
			o := newOpenFiles(4)
			defer o.close()
			groups, declined := directStats.groups.Load(), directStats.declined.Load()
			lookups := 0
			for _, id := range ids {
				var id16 [16]byte
				copy(id16[:], id)
				got, err := o.trace(path, &PartMeta{}, id16, nil)
				if err != nil {
					t.Fatal(err)
				}
				lookups++
				if len(got) != want[string(id)] {
					t.Fatalf("trace %x: %d spans, want %d", id, len(got), want[string(id)])
				}
				for _, s := range got {
					if !bytes.Equal(s.TraceId, id) {
						t.Fatalf("trace %x: a span of trace %x", id, s.TraceId)
					}
				}
			}
			g, d := directStats.groups.Load()-groups, directStats.declined.Load()-declined
			switch {
			case c.direct && (d != 0 || g == 0):
				t.Fatalf("read directly: %d row groups, declined %d; want all direct", g, d)
			case !c.direct && d < int64(len(ids)) && g != 0:
				// (a row group without the ID's pages is "read" without a page)
				t.Fatalf("%d row groups read directly, %d declined for %d traces", g, d, len(ids))
			}
		})
	}
}

func writeAll[T any](w io.Writer, rows []T, opts ...parquet.WriterOption) error {
	pw := parquet.NewGenericWriter[T](w, opts...)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}
