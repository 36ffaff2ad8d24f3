package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// Opener opens the backend under test for test t.
//
// Contract: each (sub)test gets storage of its own, empty at its first
// open. Calling open again with the same t after closing the previous
// store MUST reopen the same storage (the durability test does so). The
// suite closes every store it opens exactly once. Backends must support
// Search on every table of schema.Tables (the suite reads metrics through
// it) and must not apply retention.
type Opener = func(t *testing.T) store.Store

// Run runs the conformance suite against a backend: the cases every store
// passes, then those of each optional Capability (skipped, saying so, for
// the capabilities opts declare Unsupported).
func Run(t *testing.T, open Opener, opts ...Option) {
	o := newOptions(opts)
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"LogsRoundTrip", testLogsRoundTrip},
		{"TracesRoundTrip", testTracesRoundTrip},
		{"MetricsRoundTrip", testMetricsRoundTrip},
		{"SearchOrderLimitCount", testSearchOrderLimitCount},
		{"SearchTimeRange", testSearchTimeRange},
		{"SearchFilters", testSearchFilters},
		{"SearchInvalid", testSearchInvalid},
		{"TraceByID", testTraceByID},
		{"TraceLogs", testTraceLogs},
		{"Fields", testFields},
		{"ConcurrentInserts", testConcurrentInserts},
		{"Durability", testDurability},
		{"ContextAndClose", testContextAndClose},
		{"Samples", testSamples},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
	for _, tc := range capabilityCases {
		t.Run(string(tc.cap)+"/"+tc.name, func(t *testing.T) {
			tc.fn(t, openCapable(t, open, o, tc.cap))
		})
	}
}

// capabilityCases are the cases of the optional capabilities: each gets a
// fresh store that has the capability.
var capabilityCases = []struct {
	cap  Capability
	name string
	fn   func(*testing.T, store.Store)
}{
	{Sessions, "Sessions", testSessions},
	{Analysis, "PatternCounts", testPatternCounts},
	{Analysis, "SampledAnalysis", testSampledAnalysis},
	{Analysis, "Deltas", testDeltas},
	{Analysis, "Facets", testFacets},
	{MetricMetadata, "MetricMetadata", testMetricMetadata},
	{MetricMetadata, "MetricDescriptions", testMetricDescriptions},
	{Metrics, "SelectMetrics", testSelectMetrics},
	{Metrics, "MetricResources", testMetricResources},
	{Exemplars, "SelectExemplars", testSelectExemplars},
	{Charts, "Execution", testChartExecution},
	{Charts, "SeriesShape", testChartSeriesShape},
	{Charts, "Heatmap", testChartHeatmap},
	{Charts, "Errors", testChartErrors},
	{Charts, "Cancel", testChartCancel},
	{Charts, "Values", testChartValues},
	{Charts, "Ratio", testChartRatio},
}

// onceStore closes its store at most once.
type onceStore struct {
	store.Store
	once sync.Once
	err  error
}

func (s *onceStore) Close() error {
	s.once.Do(func() { s.err = s.Store.Close() })
	return s.err
}

// openStore opens a store that is closed when t ends (or earlier by Close).
func openStore(t *testing.T, open Opener) store.Store {
	t.Helper()
	s := &onceStore{Store: open(t)}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func search(t *testing.T, s store.Store, src *schema.Source, start, end time.Time, limit int) store.SearchResult {
	t.Helper()
	res, err := s.Search(context.Background(), store.SearchParams{Source: src, Start: start, End: end, Limit: limit})
	if err != nil {
		t.Fatalf("Search %s: %v", src.Name, err)
	}
	return res
}

func testSearchOrderLimitCount(t *testing.T, open Opener) {
	s := openStore(t, open)
	base := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
	if err := s.InsertLogs(context.Background(), SampleLogsAt(base, 150)); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	res := search(t, s, &schema.LogsSource, base, base.Add(time.Hour), 10)
	if len(res.Rows) != 10 || res.Count != 150 {
		t.Fatalf("limit 10: %d rows, count %d; want 10, 150", len(res.Rows), res.Count)
	}
	for i, r := range res.Rows {
		want := base.Add(time.Duration(149-i) * time.Millisecond)
		if !equalValue(r["Timestamp"], want) {
			t.Errorf("row %d Timestamp %v, want %v (newest first)", i, r["Timestamp"], want)
		}
	}
	res = search(t, s, &schema.LogsSource, base, base.Add(time.Hour), 0)
	if len(res.Rows) != 100 || res.Count != 150 {
		t.Errorf("default limit: %d rows, count %d; want 100, 150", len(res.Rows), res.Count)
	}
	res = search(t, s, &schema.LogsSource, base, base.Add(time.Hour), 1_000_000)
	if len(res.Rows) != 150 || res.Count != 150 {
		t.Errorf("huge limit: %d rows, count %d; want 150, 150", len(res.Rows), res.Count)
	}
}

func testSearchTimeRange(t *testing.T, open Opener) {
	s := openStore(t, open)
	base := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
	ctx := context.Background()
	if err := s.InsertLogs(ctx, SampleLogsAt(base, 100)); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	if err := s.InsertTraces(ctx, SampleTracesAt(base, 100)); err != nil {
		t.Fatalf("InsertTraces: %v", err)
	}
	for _, src := range []*schema.Source{&schema.LogsSource, &schema.TracesSource} {
		// [base+10ms, base+20ms): start inclusive, end exclusive.
		res := search(t, s, src, base.Add(10*time.Millisecond), base.Add(20*time.Millisecond), 100)
		if len(res.Rows) != 10 || res.Count != 10 {
			t.Fatalf("%s: %d rows, count %d; want 10", src.Name, len(res.Rows), res.Count)
		}
		if !equalValue(res.Rows[0]["Timestamp"], base.Add(19*time.Millisecond)) ||
			!equalValue(res.Rows[9]["Timestamp"], base.Add(10*time.Millisecond)) {
			t.Errorf("%s: range [%v .. %v], want [+19ms .. +10ms]", src.Name, res.Rows[0]["Timestamp"], res.Rows[9]["Timestamp"])
		}
		res = search(t, s, src, base.Add(-time.Hour), base, 100)
		if len(res.Rows) != 0 || res.Count != 0 {
			t.Errorf("%s before data: %d rows, count %d", src.Name, len(res.Rows), res.Count)
		}
	}
}

// filterLogs are the records the filter tests search.
var filterLogs = []struct{ svc, body, method, user string }{
	{"alpha", "disk full error", "GET", "u1"},
	{"alpha", "user login ok", "POST", "u2"},
	{"beta", "payment timeout", "GET", "u42"},
	{"beta", "cache warmed", "DELETE", "u3"},
	{"gamma", "payment accepted", "GET", "u4"},
	{"gamma", "user logout", "POST", "u42"},
}

func testSearchFilters(t *testing.T, open Opener) {
	s := openStore(t, open)
	base := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
	ld := plog.NewLogs()
	for i, f := range filterLogs {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", f.svc)
		lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Duration(i) * time.Second)))
		lr.Body().SetStr(f.body)
		lr.Attributes().PutStr("http.method", f.method)
		lr.Attributes().PutStr("user.id", f.user)
	}
	if err := s.InsertLogs(context.Background(), ld); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	tests := []struct {
		q    string
		want []int // indexes into filterLogs
	}{
		{"", []int{0, 1, 2, 3, 4, 5}},
		{"ServiceName:alpha", []int{0, 1}},
		{`ServiceName:"beta"`, []int{2, 3}},
		{"LogAttributes.user.id:u42", []int{2, 5}},
		{"timeout", []int{2}},
		{`"user login"`, []int{1}},
		{"ServiceName:beta AND LogAttributes.http.method:GET", []int{2}},
		{"ServiceName:alpha OR ServiceName:gamma", []int{0, 1, 4, 5}},
		{"NOT ServiceName:alpha", []int{2, 3, 4, 5}},
		{"payment -ServiceName:gamma", []int{2}},
		{"(ServiceName:alpha OR ServiceName:beta) AND NOT LogAttributes.http.method:GET", []int{1, 3}},
		{"LogAttributes.user.id:nobody", nil},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			n, err := query.Parse(tc.q)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.q, err)
			}
			res, err := s.Search(context.Background(), store.SearchParams{Source: &schema.LogsSource,
				Filter: n, Start: base, End: base.Add(time.Hour), Limit: 100})
			if err != nil {
				if errors.Is(err, errors.ErrUnsupported) {
					t.Skipf("filters not supported yet: %v", err)
				}
				t.Fatalf("Search(%q): %v", tc.q, err)
			}
			var got []string
			for _, r := range res.Rows {
				got = append(got, fmt.Sprint(r["Body"]))
			}
			var want []string
			for i := len(tc.want) - 1; i >= 0; i-- { // newest first
				want = append(want, filterLogs[tc.want[i]].body)
			}
			if !slices.Equal(got, want) || res.Count != int64(len(want)) {
				t.Errorf("Search(%q) = %q (count %d), want %q", tc.q, got, res.Count, want)
			}
		})
	}
}

func testSearchInvalid(t *testing.T, open Opener) {
	s := openStore(t, open)
	now := time.Now()
	ctx := context.Background()
	for name, p := range map[string]store.SearchParams{
		"no source":  {Start: now.Add(-time.Hour), End: now},
		"no range":   {Source: &schema.LogsSource},
		"no end":     {Source: &schema.LogsSource, Start: now},
		"bad table":  {Source: &schema.Source{Name: "x", Table: &schema.Table{Name: "x; DROP TABLE otel_logs", TimeColumn: "t"}}, Start: now.Add(-time.Hour), End: now},
		"end before": {Source: &schema.LogsSource, Start: now, End: now.Add(-time.Hour)},
	} {
		if _, err := s.Search(ctx, p); !errors.Is(err, store.ErrInvalidArgument) {
			t.Errorf("%s: err = %v, want ErrInvalidArgument", name, err)
		}
	}
	for _, id := range []string{"", "abc", "zz8efff798038103d269b633813fc60c", "5b8efff798038103d269b633813fc60c0"} {
		if _, err := s.Trace(ctx, id); !errors.Is(err, store.ErrInvalidArgument) {
			t.Errorf("Trace(%q): err = %v, want ErrInvalidArgument", id, err)
		}
		if _, err := s.TraceLogs(ctx, id, 0); !errors.Is(err, store.ErrInvalidArgument) {
			t.Errorf("TraceLogs(%q): err = %v, want ErrInvalidArgument", id, err)
		}
	}
}

// oneTrace builds spans of trace id whose start offsets (ms from base) are
// given, in that order.
func oneTrace(id pcommon.TraceID, base time.Time, offsets ...int) ptrace.Traces {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for _, off := range offsets {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(id)
		var sid pcommon.SpanID
		sid[7] = byte(off)
		sid[6] = byte(off >> 8)
		sp.SetSpanID(sid)
		sp.SetName(fmt.Sprintf("span-%d", off))
		st := base.Add(time.Duration(off) * time.Millisecond)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(st))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(st.Add(5 * time.Millisecond)))
	}
	return td
}

func testTraceByID(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
	id := mustTraceID("0123456789abcdef0123456789abcdef")
	// Two batches; the second one reaches earlier and later than the first.
	for _, td := range []ptrace.Traces{oneTrace(id, base, 300, 100, 200), oneTrace(id, base, 900, 0)} {
		if err := s.InsertTraces(ctx, td); err != nil {
			t.Fatalf("InsertTraces: %v", err)
		}
	}
	// Noise: other traces around it.
	if err := s.InsertTraces(ctx, SampleTracesAt(base, 200)); err != nil {
		t.Fatalf("InsertTraces: %v", err)
	}
	rows, err := s.Trace(ctx, "0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatalf("Trace: %v", err)
	}
	var names []string
	for _, r := range rows {
		names = append(names, fmt.Sprint(r["SpanName"]))
	}
	if want := []string{"span-0", "span-100", "span-200", "span-300", "span-900"}; !slices.Equal(names, want) {
		t.Errorf("Trace spans %v, want %v (ordered by Timestamp)", names, want)
	}
	rows, err = s.Trace(ctx, "ffffffffffffffffffffffffffffffff")
	if err != nil || len(rows) != 0 {
		t.Errorf("unknown trace: %d rows, err %v; want none, nil", len(rows), err)
	}
}

func testTraceLogs(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
	id := mustTraceID("0123456789abcdef0123456789abcdef")
	if err := s.InsertTraces(ctx, oneTrace(id, base, 0, 50)); err != nil {
		t.Fatalf("InsertTraces: %v", err)
	}
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, off := range []int{40, 10, 30, 20} {
		lr := lrs.AppendEmpty()
		lr.SetTraceID(id)
		lr.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Duration(off) * time.Millisecond)))
		lr.Body().SetStr(fmt.Sprintf("log-%d", off))
	}
	if err := s.InsertLogs(ctx, ld); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	if err := s.InsertLogs(ctx, SampleLogsAt(base, 100)); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	bodies := func(rows []store.Row) []string {
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprint(r["Body"]))
		}
		return out
	}
	rows, err := s.TraceLogs(ctx, "0123456789abcdef0123456789abcdef", 0)
	if err != nil {
		t.Fatalf("TraceLogs: %v", err)
	}
	if got, want := bodies(rows), []string{"log-10", "log-20", "log-30", "log-40"}; !slices.Equal(got, want) {
		t.Errorf("TraceLogs = %v, want %v (oldest first)", got, want)
	}
	rows, err = s.TraceLogs(ctx, "0123456789ABCDEF0123456789ABCDEF", 2)
	if err != nil {
		t.Fatalf("TraceLogs: %v", err)
	}
	if got, want := bodies(rows), []string{"log-10", "log-20"}; !slices.Equal(got, want) {
		t.Errorf("TraceLogs(limit 2, upper case id) = %v, want %v", got, want)
	}
}

func testFields(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	add := func(at time.Time, key string) {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
		lr.Attributes().PutStr(key, "v")
	}
	add(base.Add(-2*time.Hour), "old.key") // outside the range
	for i := range 10 {
		add(base.Add(time.Duration(i)*time.Millisecond), "older.key")
	}
	for i := range 10 {
		add(base.Add(time.Second+time.Duration(i)*time.Millisecond), "newer.key")
	}
	add(base.Add(2*time.Hour), "future.key") // outside the range
	if err := s.InsertLogs(ctx, ld); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	fields := func(budget int) map[string]string {
		fs, err := s.Fields(ctx, store.FieldsParams{Source: &schema.LogsSource,
			Start: base.Add(-time.Hour), End: base.Add(time.Hour), RowBudget: budget})
		if err != nil {
			t.Fatalf("Fields: %v", err)
		}
		if !slices.IsSortedFunc(fs, func(a, b store.Field) int { return cmp.Compare(a.Name, b.Name) }) {
			t.Errorf("Fields not sorted: %v", fs)
		}
		m := map[string]string{}
		for _, f := range fs {
			m[f.Name] = f.Type
		}
		return m
	}
	m := fields(0)
	for name, typ := range map[string]string{
		"Body": "string", "Timestamp": "timestamp", "SeverityNumber": "number",
		"LogAttributes": "map", "LogAttributes.older.key": "string", "LogAttributes.newer.key": "string",
	} {
		if m[name] != typ {
			t.Errorf("Fields[%s] = %q, want %q", name, m[name], typ)
		}
	}
	for _, name := range []string{"LogAttributes.old.key", "LogAttributes.future.key"} {
		if _, ok := m[name]; ok {
			t.Errorf("Fields has %s from outside the time range", name)
		}
	}
	// A budget of 5 rows scans only the newest ones.
	m = fields(5)
	if _, ok := m["LogAttributes.newer.key"]; !ok {
		t.Errorf("budget 5: newer.key missing")
	}
	if _, ok := m["LogAttributes.older.key"]; ok {
		t.Errorf("budget 5: older.key found, so more than the newest 5 rows were scanned")
	}
	// Traces list Nested sub-columns.
	fs, err := s.Fields(ctx, store.FieldsParams{Source: &schema.TracesSource, Start: base, End: base.Add(time.Hour)})
	if err != nil {
		t.Fatalf("Fields traces: %v", err)
	}
	found := false
	for _, f := range fs {
		found = found || f.Name == "Events.Name"
	}
	if !found {
		t.Errorf("traces Fields lacks Events.Name: %v", fs)
	}
}

func testConcurrentInserts(t *testing.T, open Opener) {
	s := openStore(t, open)
	base := time.Now().UTC().Truncate(time.Second).Add(-30 * time.Minute)
	const goroutines, batches, per = 8, 10, 100
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*batches*2)
	for g := range goroutines {
		wg.Go(func() {
			for b := range batches {
				at := base.Add(time.Duration(g*batches+b) * time.Second)
				if err := s.InsertLogs(context.Background(), SampleLogsAt(at, per)); err != nil {
					errs <- err
				}
				if err := s.InsertTraces(context.Background(), SampleTracesAt(at, per)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("insert: %v", err)
	}
	for _, src := range []*schema.Source{&schema.LogsSource, &schema.TracesSource} {
		res := search(t, s, src, base, base.Add(time.Hour), 1)
		if res.Count != goroutines*batches*per {
			t.Errorf("%s: count %d, want %d", src.Name, res.Count, goroutines*batches*per)
		}
	}
}

func testDurability(t *testing.T, open Opener) {
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
	s := openStore(t, open)
	if err := s.InsertLogs(ctx, SampleLogsAt(base, 500)); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	if err := s.InsertTraces(ctx, SampleTracesAt(base, 500)); err != nil {
		t.Fatalf("InsertTraces: %v", err)
	}
	if err := s.InsertMetrics(ctx, SampleMetricsAt(base)); err != nil {
		t.Fatalf("InsertMetrics: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = openStore(t, open)
	for src, want := range map[*schema.Source]int64{
		&schema.LogsSource: 500, &schema.TracesSource: 500,
		metricSource(&schema.MetricsHistogram): 2,
	} {
		if res := search(t, s, src, base, base.Add(time.Hour), 1); res.Count != want {
			t.Errorf("after reopen %s: count %d, want %d", src.Name, res.Count, want)
		}
	}
	tid, _ := ids(uint64(base.UnixNano()), 3, 0)
	rows, err := s.Trace(ctx, tid.String())
	if err != nil || len(rows) != 8 {
		t.Errorf("after reopen Trace: %d spans, err %v; want 8", len(rows), err)
	}
}

func testContextAndClose(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.InsertLogs(ctx, SampleLogs(10)); !errors.Is(err, context.Canceled) {
		t.Errorf("InsertLogs with cancelled ctx: %v, want context.Canceled", err)
	}
	// Empty data is fine.
	if err := s.InsertLogs(context.Background(), plog.NewLogs()); err != nil {
		t.Errorf("InsertLogs(empty): %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.InsertLogs(context.Background(), SampleLogs(10)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("InsertLogs after Close: %v, want ErrClosed", err)
	}
}

// testSamples checks the Sample* generators against what they promise.
func testSamples(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	if err := s.InsertLogs(ctx, SampleLogs(1000)); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	if err := s.InsertTraces(ctx, SampleTraces(1000)); err != nil {
		t.Fatalf("InsertTraces: %v", err)
	}
	if err := s.InsertMetrics(ctx, SampleMetrics()); err != nil {
		t.Fatalf("InsertMetrics: %v", err)
	}
	now := time.Now()
	for _, src := range []*schema.Source{&schema.LogsSource, &schema.TracesSource} {
		if res := search(t, s, src, now.Add(-time.Hour), now.Add(time.Minute), 1); res.Count != 1000 {
			t.Errorf("%s: count %d, want 1000", src.Name, res.Count)
		}
	}
}

// RunOverload checks that a backend configured to hold at most a few
// hundred pending rows refuses work with store.ErrOverloaded instead of
// buffering, and that every accepted insert is stored.
func RunOverload(t *testing.T, s store.Store) {
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
	var overloaded, ok int
	for round := 0; round < 20 && overloaded == 0; round++ {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for g := range 32 {
			wg.Go(func() {
				err := s.InsertLogs(ctx, SampleLogsAt(base.Add(time.Duration(round*32+g)*time.Second), 500))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrOverloaded):
					overloaded++
				default:
					t.Errorf("InsertLogs: %v", err)
				}
			})
		}
		wg.Wait()
	}
	if overloaded == 0 {
		t.Fatalf("no insert was refused with ErrOverloaded")
	}
	res := search(t, s, &schema.LogsSource, base, base.Add(time.Hour), 1)
	if res.Count != int64(ok*500) {
		t.Errorf("stored %d rows, want %d (%d accepted inserts)", res.Count, ok*500, ok)
	}
	t.Logf("%d inserts accepted, %d refused", ok, overloaded)
}
