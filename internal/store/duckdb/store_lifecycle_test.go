package duckdb

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

func TestConfigValidate(t *testing.T) {
	for name, c := range map[string]Config{
		"no dir":            {},
		"negative pending":  {Dir: "x", MaxPendingRows: -1},
		"negative keep":     {Dir: "x", Retention: store.Retention{Logs: -time.Hour}},
		"too many writers":  {Dir: "x", WriterConns: 100},
		"negative interval": {Dir: "x", RetentionInterval: -1},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil, want an error", name)
		}
	}
	if err := (Config{Dir: "x"}).Validate(); err != nil {
		t.Errorf("minimal config: %v", err)
	}
}

// TestLockHolder is the child process of TestSecondProcessRefused.
func TestLockHolder(t *testing.T) {
	dir := os.Getenv("OVERLOOK_LOCK_HOLDER")
	if dir == "" {
		t.Skip("child process of TestSecondProcessRefused")
	}
	s, err := Open(Config{Dir: dir}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	os.Stdout.WriteString("ready\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
}

func TestSecondProcessRefused(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLockHolder$")
	cmd.Env = append(os.Environ(), "OVERLOOK_LOCK_HOLDER="+dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.Contains(line, "ready") {
		t.Fatalf("child: %q, %v", line, err)
	}
	_, err = Open(Config{Dir: dir}, testLogger(t))
	if err == nil || !strings.Contains(err.Error(), "another overlook process is running with data dir") {
		t.Fatalf("Open of a locked dir: %v, want 'another overlook process is running'", err)
	}

	// In this process too.
	d2 := t.TempDir()
	s, err := Open(Config{Dir: d2}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(Config{Dir: d2}, testLogger(t)); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("second Open in one process: %v", err)
	}
}

func TestRetention(t *testing.T) {
	for _, layout := range []string{LayoutDuckDB, LayoutParts} {
		t.Run(layout, func(t *testing.T) { testRetention(t, layout) })
	}
}

// partsKept is how many of the rows at timestamps ts the parts layout
// keeps with retention keep at now: parts hold one hour bucket each (the
// head is cut once here, so one part per hour) and are dropped whole
// once their newest row is older than the cutoff. As for the DuckDB
// layout, the cutoff is taken to be a little (10 ms) past now - keep:
// RunRetention runs after now.
func partsKept(ts []time.Time, now time.Time, keep time.Duration) int64 {
	newest := map[int64]time.Time{}
	for _, x := range ts {
		h := x.UnixNano() / int64(time.Hour)
		if x.After(newest[h]) {
			newest[h] = x
		}
	}
	var n int64
	for _, x := range ts {
		if !newest[x.UnixNano()/int64(time.Hour)].Before(now.Add(-keep).Add(10 * time.Millisecond)) {
			n++
		}
	}
	return n
}

func testRetention(t *testing.T, layout string) {
	s, err := Open(Config{Dir: t.TempDir(), RetentionInterval: time.Hour, Layout: layout,
		// One cut of the head (at the first read), so one part per hour.
		Parts:     PartsConfig{FlushInterval: time.Hour},
		Retention: store.Retention{Logs: time.Hour, Traces: 2 * time.Hour, Metrics: 3 * time.Hour}}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC()
	// Data every 30 minutes over the last 5 hours, plus one record at the
	// epoch (a log without any timestamp) far before everything.
	for age := 5 * time.Hour; age >= 0; age -= 30 * time.Minute {
		at := now.Add(-age)
		if err := s.InsertLogs(ctx, storetest.SampleLogsAt(at, 10)); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertTraces(ctx, storetest.SampleTracesAt(at, 8)); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertMetrics(ctx, storetest.SampleMetricsAt(at)); err != nil {
			t.Fatal(err)
		}
	}
	epoch := plog.NewLogs()
	epoch.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("no time")
	if err := s.InsertLogs(ctx, epoch); err != nil {
		t.Fatal(err)
	}
	count := func(tbl *schema.Table) int64 {
		var n int64
		if err := readRow(t, s, "SELECT count(*) FROM "+quoteIdent(tbl.Name)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stamps := func(tbl *schema.Table) []time.Time {
		q, release, err := s.readSQL(ctx, "SELECT Timestamp FROM "+quoteIdent(tbl.Name), time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		rs, err := s.db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var out []time.Time
		for rs.Next() {
			var x time.Time
			if err := rs.Scan(&x); err != nil {
				t.Fatal(err)
			}
			out = append(out, x)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := map[*schema.Table]int64{}
	for _, tbl := range schema.Tables {
		before[tbl] = count(tbl)
	}
	deleted, err := s.RunRetention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 11 half-hour steps 0..5h: logs keep ages ≤ 1h minus a bit (0, 0.5h;
	// 1h is just past the cutoff), traces 0..1.5h, metrics 0..2.5h.
	want := map[*schema.Table]int64{
		&schema.Logs:                2 * 10,
		&schema.Traces:              4 * 8,
		&schema.TraceIDTs:           4 * 1,
		&schema.MetricsGauge:        6 * 4,
		&schema.MetricsSum:          6 * 2,
		&schema.MetricsHistogram:    6 * 2,
		&schema.MetricsExpHistogram: 6 * 2,
		&schema.MetricsSummary:      6 * 2,
	}
	if layout == LayoutParts {
		// Whole hour buckets: a row goes between retention and
		// retention + 1 h. The trace index table is not written.
		want[&schema.Logs] = partsKept(stamps(&schema.Logs), now, time.Hour)
		want[&schema.Traces] = partsKept(stamps(&schema.Traces), now, 2*time.Hour)
		want[&schema.TraceIDTs] = 0
		t.Logf("parts keep %d logs, %d spans", want[&schema.Logs], want[&schema.Traces])
	}
	var wantDeleted int64
	for tbl, n := range want {
		if got := count(tbl); got != n {
			t.Errorf("%s: %d rows after retention, want %d (had %d)", tbl.Name, got, n, before[tbl])
		}
		wantDeleted += before[tbl] - n
	}
	if deleted != wantDeleted {
		t.Errorf("RunRetention reported %d deleted, want %d", deleted, wantDeleted)
	}
	// Idempotent.
	if n, err := s.RunRetention(ctx); err != nil || n != 0 {
		t.Errorf("second run: %d, %v", n, err)
	}
	// The store still takes and finds data.
	if err := s.InsertLogs(ctx, storetest.SampleLogs(5)); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
}

// TestInvalidDataIsStored: what OTLP allows but DuckDB does not (invalid
// UTF-8, timestamps past 2262) is sanitised, not refused.
func TestInvalidDataIsStored(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "bad\xffutf8")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.Timestamp(^uint64(0))) // beyond TIMESTAMP_NS
	lr.Body().SetStr("invalid \xc3\x28 utf8 and a very long body beyond twelve bytes")
	// Duplicate keys, as a protobuf payload can carry: marshal k1, k2 and
	// rename k2 in the bytes.
	lr.Attributes().PutStr("k1", "first")
	lr.Attributes().PutStr("k2", "second")
	buf, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	buf = bytes.Replace(buf, []byte("k2"), []byte("k1"), 1)
	if ld, err = (&plog.ProtoUnmarshaler{}).UnmarshalLogs(buf); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertLogs(context.Background(), ld); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	res, err := s.Search(context.Background(), store.SearchParams{Source: &schema.LogsSource,
		Start: time.Unix(0, 0), End: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("Search: %v, %d rows", err, len(res.Rows))
	}
	if got := res.Rows[0]["ServiceName"]; got != "bad\uFFFDutf8" {
		t.Errorf("ServiceName = %q", got)
	}
	row := res.Rows[0]
	if got := row["Body"]; got != "invalid \uFFFD( utf8 and a very long body beyond twelve bytes" {
		t.Errorf("Body = %q", got)
	}
	if got := row["LogAttributes"].(map[string]string); len(got) != 1 || got["k1"] != "first" {
		t.Errorf("LogAttributes = %v, want the first of the duplicate keys", got)
	}
	if got := row["Timestamp"].(time.Time); !got.Equal(time.Unix(0, maxNanos)) {
		t.Errorf("Timestamp = %v, want clamped to %v", got, time.Unix(0, maxNanos).UTC())
	}
}
