package parts

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// fuzzSpanRows are n rows of up to traces trace IDs, in random order,
// with what stresses the direct reader's decoders: timestamps and
// durations of any size (64-bit deltas), unsigned counts past 2^31,
// empty and long strings, low- and high-cardinality values (small and
// large dictionaries), empty and long lists, events and links with and
// without attributes.
func fuzzSpanRows(r *rand.Rand, n, traces int) ([]SpanRow, [][]byte) {
	ids := make([][]byte, traces)
	for i := range ids {
		ids[i] = make([]byte, 16)
		for k := range ids[i] {
			ids[i][k] = byte(r.Uint32())
		}
		ids[i][0] |= 1
	}
	str := func() string {
		switch r.IntN(4) {
		case 0:
			return ""
		case 1:
			return fmt.Sprintf("v%d", r.IntN(5))
		case 2:
			return fmt.Sprintf("u%d-%x", r.Uint64(), r.Uint64())
		}
		return string(bytes.Repeat([]byte{byte('a' + r.IntN(26))}, r.IntN(300)))
	}
	blob := func() []byte {
		b := make([]byte, r.IntN(3)*4)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	kv := func(max int) KV {
		m := r.IntN(max + 1)
		kv := KV{Keys: make([]string, m), Values: make([]string, m)}
		for i := range m {
			kv.Keys[i], kv.Values[i] = fmt.Sprintf("k%d", r.IntN(8)), str()
		}
		return kv
	}
	u32 := func() uint32 {
		if r.IntN(3) == 0 {
			return r.Uint32()
		}
		return uint32(r.IntN(3))
	}
	i64 := func() int64 {
		switch r.IntN(3) {
		case 0:
			return r.Int64() - math.MaxInt64/2
		case 1:
			return 1_700_000_000_000_000_000 + r.Int64N(1e12)
		}
		return int64(r.IntN(10))
	}
	rows := make([]SpanRow, n)
	for i := range rows {
		s := &rows[i]
		s.Timestamp, s.TraceId, s.SpanId, s.ParentSpanId = i64(), ids[r.IntN(traces)], blob(), blob()
		if r.IntN(30) == 0 {
			s.TraceId = nil // no trace (the all-zero ID): TraceId pages of varying lengths
		}
		s.TraceState, s.SpanName, s.SpanKind, s.ServiceName = str(), str(), str(), str()
		s.ResourceAttributes, s.ScopeName, s.ScopeVersion, s.SpanAttributes = kv(4), str(), str(), kv(12)
		s.Duration, s.StatusCode, s.StatusMessage = uint64(i64())*uint64(1+r.IntN(2)), str(), str()
		for range r.IntN(4) {
			s.Events = append(s.Events, Event{Timestamp: i64(), Name: str(), Attributes: kv(3), DroppedAttributesCount: u32()})
		}
		for range r.IntN(3) {
			s.Links = append(s.Links, Link{TraceId: blob(), SpanId: blob(), TraceState: str(), Attributes: kv(2),
				DroppedAttributesCount: u32(), Flags: u32()})
		}
		s.ResourceSchemaUrl, s.ScopeSchemaUrl, s.ScopeAttributes = str(), str(), kv(2)
		s.TraceFlags, s.DroppedAttributesCount, s.DroppedEventsCount = u32(), u32(), u32()
		s.DroppedLinksCount, s.ScopeDroppedAttrCount, s.ResourceDroppedAttrCount = u32(), u32(), u32()
	}
	return rows, ids
}

// writeSpanRows writes rows as a part file is written (writerOptions).
func writeSpanRows(rows []SpanRow, rowGroup, pageBytes int) ([]byte, error) {
	var buf bytes.Buffer
	pages := &pageArena{}
	defer pages.release()
	w := parquet.NewGenericWriter[SpanRow](&buf, writerOptions(rowGroup, pageBytes, 0, pages, parquet.SchemaOf(new(SpanRow)))...)
	if _, err := w.Write(rows); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// compareDirect reads IDs of ids from every row group of the file both
// ways and fails on any difference; it returns the rows found. Each row
// group is searched for every ID when there are at most perGroup,
// otherwise for perGroup of them (in turn).
func compareDirect(t *testing.T, file []byte, ids [][]byte, perGroup int) int {
	t.Helper()
	pf, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		t.Fatal(err)
	}
	if !directReadable(pf.Schema()) {
		t.Fatal("a part file's schema is not directReadable")
	}
	found := 0
	for g, rg := range pf.RowGroups() {
		for k := range min(perGroup, len(ids)) {
			id := ids[(g*perGroup+k)%len(ids)]
			rows, err := traceRowsOf(rg, spanCol.traceID, id)
			if err != nil {
				t.Fatal(err)
			}
			want, err := readRows(rg, rows, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := directTrace(pf, bytes.NewReader(file), g, id, nil, g%2 == 0)
			if err != nil {
				t.Fatalf("row group %d, trace %x: %v", g, id, err)
			}
			if !reflect.DeepEqual(got, want) {
				for i := range min(len(got), len(want)) {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Fatalf("row group %d, trace %x, row %d:\n direct  %#v\n parquet %#v", g, id, i, got[i], want[i])
					}
				}
				t.Fatalf("row group %d, trace %x: direct %d rows, parquet-go %d", g, id, len(got), len(want))
			}
			found += len(got)
		}
	}
	return found
}

// FuzzDirectReader: the direct reader reads exactly the rows parquet-go
// reads from the same pages, for any rows written as parts are written,
// any page size (a few values to the default) and row group size, the
// rows unsorted or sorted by TraceId.
func FuzzDirectReader(f *testing.F) {
	for _, c := range [][4]uint64{{1, 50, 0, 0}, {2, 700, 1, 3}, {3, 2000, 4, 7}, {4, 300, 2, 1}, {5, 1, 3, 0}} {
		f.Add(c[0], uint16(c[1]), uint8(c[2]), uint8(c[3]))
	}
	f.Fuzz(func(t *testing.T, seed uint64, n uint16, page, group uint8) {
		r := rand.New(rand.NewPCG(seed, 11))
		rows, ids := fuzzSpanRows(r, 1+int(n)%1500, 1+r.IntN(12))
		if group&1 == 1 {
			slices.SortStableFunc(rows, func(a, b SpanRow) int { return bytes.Compare(a.TraceId, b.TraceId) })
		}
		pageBytes := []int{64, 256, 1024, 8192, 0}[int(page)%5]
		rowGroup := []int{16, 100, 1000, 65536}[int(group>>1)%4]
		file, err := writeSpanRows(rows, rowGroup, pageBytes)
		if err != nil {
			t.Fatal(err)
		}
		traced := 0
		for _, s := range rows {
			if len(s.TraceId) > 0 {
				traced++
			}
		}
		if got := compareDirect(t, file, ids, 12); got != traced {
			t.Fatalf("%d rows found of %d", got, traced)
		}
	})
}

// FuzzDirectReaderDamaged: a part file with bytes changed anywhere in
// its pages never panics the direct reader nor makes it read without
// bound; it reads or declines (an error: parquet-go then reads the row
// group, as the fallback does).
func FuzzDirectReaderDamaged(f *testing.F) {
	f.Add(uint64(1), uint32(100), byte(0xff), uint8(1))
	f.Add(uint64(2), uint32(5000), byte(1), uint8(8))
	f.Add(uint64(3), uint32(30), byte(0x80), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, at uint32, xor byte, count uint8) {
		r := rand.New(rand.NewPCG(seed, 12))
		rows, ids := fuzzSpanRows(r, 400, 8)
		file, err := writeSpanRows(rows, 200, []int{256, 0}[seed%2])
		if err != nil {
			t.Fatal(err)
		}
		pf, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
		if err != nil {
			t.Fatal(err)
		}
		// Damage the pages only (the footer is parsed by parquet-go).
		end := int(pf.Metadata().RowGroups[0].Columns[0].MetaData.DataPageOffset)
		for _, g := range pf.Metadata().RowGroups {
			for _, c := range g.Columns {
				end = max(end, int(c.MetaData.DataPageOffset+c.MetaData.TotalCompressedSize))
			}
		}
		damaged := bytes.Clone(file)
		for k := range 1 + int(count)%8 {
			i := 4 + (int(at)+k*7919)%(end-4)
			damaged[i] ^= xor | 1
		}
		for g := range pf.RowGroups() {
			for _, id := range ids {
				_, _ = directTrace(pf, bytes.NewReader(damaged), g, id, nil, false)
			}
		}
	})
}
