package copytool

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/clickhouse"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/store/storetest"
	"github.com/overlook-dev/overlook/internal/testing/chdb"
)

// TestCopyDuckDBToClickHouse: a DuckDB data directory holding logs and
// spans over three days and metrics of every kind is copied into
// ClickHouse (chDB) in pages smaller than a day: every table has exactly
// the source's rows per day; the copy run again skips every day; a day
// partly deleted in the destination is copied again, exactly.
func TestCopyDuckDBToClickHouse(t *testing.T) {
	ch := chdb.Start(t, chdb.Options{})
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	src, err := duckdb.Open(duckdb.Config{Dir: filepath.Join(t.TempDir(), "data")}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	base := time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)
	for i, n := range []int{1500, 700, 1200} {
		at := base.Add(time.Duration(i) * day)
		if err := src.InsertLogs(ctx, storetest.SampleLogsAt(at, n)); err != nil {
			t.Fatal(err)
		}
		if err := src.InsertTraces(ctx, storetest.SampleTracesAt(at, n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.InsertMetrics(ctx, storetest.KindsMetrics()); err != nil {
		t.Fatal(err)
	}
	if err := src.InsertMetrics(ctx, storetest.ExemplarMetrics(base)); err != nil {
		t.Fatal(err)
	}
	dst, err := clickhouse.Open(ctx, clickhouse.Config{Endpoint: "http://" + ch.Endpoint, Database: "default"}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()

	reps, err := Copy(ctx, src, dst, Tables(), Options{PageRows: 500})
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, src, dst)
	var rows int64
	for _, r := range reps {
		rows += r.Rows
		if r.Skipped != 0 || r.Redo != 0 {
			t.Errorf("first copy of %s: %+v", r.Table, r)
		}
	}
	if want := int64(2 * (1500 + 700 + 1200)); rows < want {
		t.Errorf("copied %d rows, want at least %d", rows, want)
	}

	// Again: nothing to do.
	reps, err = Copy(ctx, src, dst, Tables(), Options{PageRows: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		if r.Rows != 0 || r.Skipped != r.Days {
			t.Errorf("second copy of %s: %+v, want every day skipped", r.Table, r)
		}
	}

	// A copy stopped inside a day: 300 of the logs' second day are gone.
	d2 := base.Add(day)
	if err := dst.DeleteRange(ctx, &schema.Logs, d2, d2.Add(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	reps, err = Copy(ctx, src, dst, []*schema.Table{&schema.Logs}, Options{PageRows: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 || reps[0].Redo != 1 || reps[0].Skipped != reps[0].Days-1 {
		t.Errorf("resumed copy: %+v, want one day redone", reps)
	}
	checkSame(t, src, dst)

	// Rows are the same rows: a trace reads the same through both.
	res, err := src.Search(ctx, store.SearchParams{Source: &schema.TracesSource, Start: base, End: base.Add(time.Hour), Limit: 1})
	if err != nil || len(res.Rows) != 1 {
		t.Fatal(res, err)
	}
	id := res.Rows[0]["TraceId"].(string)
	a, err := src.Trace(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dst.Trace(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("trace %s: %d spans in DuckDB, %d in ClickHouse", id, len(a), len(b))
	}
	for i := range a {
		for _, c := range []string{"SpanId", "SpanName", "ServiceName", "Duration", "StatusMessage"} {
			if a[i][c] != b[i][c] && !(c == "Duration" && toInt(a[i][c]) == toInt(b[i][c])) {
				t.Errorf("span %d %s: %v in DuckDB, %v in ClickHouse", i, c, a[i][c], b[i][c])
			}
		}
	}
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case uint64:
		return int64(x)
	}
	return -1
}

// checkSame compares the rows per table and day of both stores.
func checkSame(t *testing.T, src store.Store, dst *clickhouse.Store) {
	t.Helper()
	ctx := context.Background()
	for _, tb := range Tables() {
		first, last, ok, err := span(ctx, src, tb)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("%s: no rows in the source", tb.Name)
			continue
		}
		for d := first; !d.After(last); d = d.Add(day) {
			want, err := count(ctx, src, tb, d, d.Add(day))
			if err != nil {
				t.Fatal(err)
			}
			got, err := dst.CountRange(ctx, tb, d, d.Add(day))
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s %s: %d rows in ClickHouse, %d in DuckDB", tb.Name, d.Format(time.DateOnly), got, want)
			}
		}
	}
}
