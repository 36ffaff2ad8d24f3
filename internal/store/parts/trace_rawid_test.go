package parts

import (
	"bytes"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestTraceRowsOfLayouts: traceRowsOf finds exactly the rows of an ID
// whatever the TraceId column's layout — plain and required (as overlook
// writes it: compared in place), dictionary-encoded or optional (other
// writers, or parts of other layouts: through parquet.Values; an
// optional page without nulls is compared in place too).
func TestTraceRowsOfLayouts(t *testing.T) {
	type plainRow struct {
		TraceId []byte `parquet:"TraceId"`
	}
	type dictRow struct {
		TraceId []byte `parquet:"TraceId,dict"`
	}
	type optRow struct {
		TraceId []byte `parquet:"TraceId,optional"`
	}
	id := func(k int) []byte { return []byte{byte(k >> 8), byte(k), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1} }
	// 3,000 rows sorted by ID, 1 to 3 rows per ID; row 0 is the null ID
	// in the optional layout.
	var ids [][]byte
	for k := 0; len(ids) < 3000; k++ {
		for range 1 + k%3 {
			ids = append(ids, id(k))
		}
	}
	write := func(t *testing.T, rows any) *parquet.File {
		t.Helper()
		var buf bytes.Buffer
		var err error
		switch rs := rows.(type) {
		case []plainRow:
			err = writeRows(&buf, rs)
		case []dictRow:
			err = writeRows(&buf, rs)
		case []optRow:
			err = writeRows(&buf, rs)
		}
		if err != nil {
			t.Fatal(err)
		}
		f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	var plain []plainRow
	var dict []dictRow
	var opt []optRow
	for i, v := range ids {
		plain, dict = append(plain, plainRow{v}), append(dict, dictRow{v})
		if i == 0 {
			opt = append(opt, optRow{nil})
		} else {
			opt = append(opt, optRow{v})
		}
	}
	for _, tc := range []struct {
		name string
		f    *parquet.File
		raw  func(k int) bool // ID k's page compared in place
	}{
		{"plain required", write(t, plain), func(int) bool { return true }},
		{"dictionary", write(t, dict), func(int) bool { return false }},
		// Only the first page (4 KiB: ≈ 200 rows) holds the null.
		{"optional with a null", write(t, opt), func(k int) bool { return k > 100 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rg := tc.f.RowGroups()[0]
			for _, k := range []int{1, 2, 700, 1499} {
				var want []int64
				for i, v := range ids {
					if bytes.Equal(v, id(k)) && !(tc.name == "optional with a null" && i == 0) {
						want = append(want, int64(i))
					}
				}
				before := rawIDPages.Load()
				got, err := traceRowsOf(rg, 0, id(k))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("ID %d: rows %v, want %v", k, got, want)
				}
				if raw := rawIDPages.Load() - before; (raw > 0) != tc.raw(k) {
					t.Fatalf("ID %d: %d pages compared in place, want in place: %v", k, raw, tc.raw(k))
				}
			}
			if got, err := traceRowsOf(rg, 0, id(99999)); err != nil || len(got) != 0 {
				t.Fatalf("absent ID: rows %v, %v", got, err)
			}
		})
	}
}

func writeRows[T any](buf *bytes.Buffer, rows []T) error {
	w := parquet.NewGenericWriter[T](buf, parquet.PageBufferSize(4096))
	if _, err := w.Write(rows); err != nil {
		return err
	}
	return w.Close()
}
