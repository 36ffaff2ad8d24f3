package parts

import (
	"path/filepath"
	"testing"
)

// TestWriteBatchBound: a part writer decodes at most 1024 rows at a time
// (writeBatchRows; each decoded span is ≈ 0.5 KB of Go heap, held by both
// part writers at once, twice over with GOGC's headroom: issue 10's peak
// RSS), whatever the row group size, and the row groups are still cut
// every rowGroup rows.
func TestWriteBatchBound(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		rows, rowGroup       int
		wantBatch            int
		wantCalls, rowGroups int
	}{
		{"default row group", 5000, 65_536, 1024, 5 + 1, 1},
		{"row group smaller than a batch", 1500, 512, 512, 3 + 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "part.parquet.tmp")
			calls, at := 0, 0
			_, err := writeParquet(path, tc.rowGroup, 0, 0, func(batch []LogRow) (int, error) {
				calls++
				if len(batch) != tc.wantBatch {
					t.Fatalf("call %d: batch of %d rows, want %d", calls, len(batch), tc.wantBatch)
				}
				n := 0
				for ; n < len(batch) && at < tc.rows; n, at = n+1, at+1 {
					batch[n] = LogRow{Timestamp: int64(at), ServiceName: "svc", Body: "body"}
				}
				return n, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if calls != tc.wantCalls {
				t.Errorf("%d calls of next, want %d", calls, tc.wantCalls)
			}
			pf := openParquet(t, path)
			if pf.NumRows() != int64(tc.rows) || len(pf.RowGroups()) != tc.rowGroups {
				t.Errorf("file has %d rows in %d row groups, want %d in %d", pf.NumRows(), len(pf.RowGroups()), tc.rows, tc.rowGroups)
			}
		})
	}
}
