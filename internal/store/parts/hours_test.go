package parts

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// hourBase is the start of an hour.
var hourBase = time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)

// logsSpread: n log records of request seed, record i at hourBase +
// i*step.
func logsSpread(seed, n int, step time.Duration) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "svc")
	sl := rl.ScopeLogs().AppendEmpty()
	for i := range n {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(hourBase.Add(time.Duration(i) * step)))
		lr.SetTraceID(traceID(seed, i))
		lr.Body().SetStr(fmt.Sprintf("line %d of %d", i, seed))
	}
	return ld
}

// checkHourly fails unless every part holds rows of its hour only.
func checkHourly(t *testing.T, metas []*PartMeta) {
	t.Helper()
	for _, m := range metas {
		if hourOf(m.MinTimestamp) != m.Hour || hourOf(m.MaxTimestamp) != m.Hour {
			t.Fatalf("part %s holds %v…%v, outside its hour", m.File(), time.Unix(0, m.MinTimestamp).UTC(), time.Unix(0, m.MaxTimestamp).UTC())
		}
	}
}

// TestHourBuckets: a head spanning hours is cut into one part per hour,
// merges join parts of one hour only, and DropBefore deletes every row
// of an hour once the cutoff passes that hour's last row (not the
// head's).
func TestHourBuckets(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tb := open(t, Config{Dir: dir, Kind: Logs, PartRows: 1000, FlushInterval: time.Hour, MergeRows: 1 << 20})
	defer tb.Close()
	// 6 requests of 30 records 6 minutes apart: 3 hours (10 records
	// each), cut by each Snapshot (count) into 3 parts.
	for seed := 1; seed <= 6; seed++ {
		if err := tb.InsertLogs(ctx, logsSpread(seed, 30, 6*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := count(t, tb); got != int64(seed*30) {
			t.Fatalf("%d rows, want %d", got, seed*30)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for tb.Stats().Merges == 0 { // 18 parts of 10 rows: merged, per hour
		if time.Now().After(deadline) {
			t.Fatalf("parts not merged: %+v", tb.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	sn, err := tb.Snapshot(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	checkHourly(t, sn.Metas)
	perHour := map[int64]int64{}
	for _, m := range sn.Metas {
		perHour[m.Hour] += m.Rows
	}
	if h := hourOf(hourBase.UnixNano()); len(perHour) != 3 || perHour[h] != 60 || perHour[h+1] != 60 || perHour[h+2] != 60 {
		t.Fatalf("rows per hour: %v, want 60 in each of 3", perHour)
	}
	sn.Release()
	// A cutoff inside the second hour drops the first hour's rows only.
	n, err := tb.DropBefore(ctx, hourBase.Add(90*time.Minute))
	if err != nil || n != 60 {
		t.Fatalf("DropBefore(1h30): %d rows (%v), want 60", n, err)
	}
	if got := count(t, tb); got != 120 {
		t.Fatalf("after dropping the first hour: %d rows, want 120", got)
	}
	// Past the second hour's last row (1h54): its rows go.
	if n, err := tb.DropBefore(ctx, hourBase.Add(115*time.Minute)); err != nil || n != 60 {
		t.Fatalf("DropBefore(1h55): %d rows (%v), want 60", n, err)
	}
}

// TestHourBucketsRecovery: a crash after some of a segment's hour parts
// were published (the segment still there) stores each row once.
func TestHourBucketsRecovery(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := Config{Dir: dir, Kind: Logs, PartRows: 1000, FlushInterval: time.Hour}
	tb := open(t, cfg)
	if err := tb.InsertLogs(ctx, logsSpread(1, 30, 6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	wals := walFiles(t, dir)
	seg, err := os.ReadFile(wals[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := count(t, tb); got != 30 { // cut: 3 parts of segment 1
		t.Fatalf("%d rows, want 30", got)
	}
	crash(tb)
	// As if the crash came after the first hour's part was published,
	// before the others were: the segment is there, one part too.
	for _, h := range []int64{hourOf(hourBase.UnixNano()) + 1, hourOf(hourBase.UnixNano()) + 2} {
		if err := removePart(dir, &PartMeta{First: 1, Last: 1, Hour: h}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(wals[0], seg, 0o644); err != nil {
		t.Fatal(err)
	}
	tb = open(t, cfg)
	defer tb.Close()
	if got := count(t, tb); got != 30 {
		t.Fatalf("after recovery: %d rows, want 30 (each once)", got)
	}
	sn, err := tb.Snapshot(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Release()
	checkHourly(t, sn.Metas)
	if len(sn.Metas) != 3 {
		t.Fatalf("%d parts after recovery, want 3", len(sn.Metas))
	}
	if w := walFiles(t, dir); len(w) != 1 || filepath.Base(w[0]) == filepath.Base(wals[0]) {
		t.Fatalf("WAL after recovery: %v, want only the new segment", w)
	}
}
