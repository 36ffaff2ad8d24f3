package storetest

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

var (
	fullTraceID = mustTraceID("5b8efff798038103d269b633813fc60c")
	fullSpanID  = mustSpanID("eee19b7ec3c1b174")
	parentID    = mustSpanID("eee19b7ec3c1b173")
	linkTraceID = mustTraceID("0af7651916cd43dd8448eb211c80319c")
	linkSpanID  = mustSpanID("b7ad6b7169203331")
)

func mustTraceID(s string) pcommon.TraceID {
	var id pcommon.TraceID
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		panic(err)
	}
	return id
}

func mustSpanID(s string) pcommon.SpanID {
	var id pcommon.SpanID
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		panic(err)
	}
	return id
}

// putAllKinds puts one attribute of every pcommon value type into m.
func putAllKinds(m pcommon.Map) {
	m.PutStr("s", "text")
	m.PutInt("i", 42)
	m.PutDouble("d", 1.5)
	m.PutBool("b", true)
	m.PutEmptyMap("m").PutStr("k", "v")
	sl := m.PutEmptySlice("l")
	sl.AppendEmpty().SetInt(1)
	sl.AppendEmpty().SetStr("a")
	m.PutEmptyBytes("bytes").FromRaw([]byte{1, 2, 3})
}

// allKinds is putAllKinds as stored: AsString() of every value.
var allKinds = map[string]string{
	"s": "text", "i": "42", "d": "1.5", "b": "true",
	"m": `{"k":"v"}`, "l": `[1,"a"]`, "bytes": "AQID",
}

func testLogsRoundTrip(t *testing.T, open Opener) {
	s := openStore(t, open)
	base := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Minute)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.SetSchemaUrl("https://opentelemetry.io/schemas/resource")
	rl.Resource().Attributes().PutStr("service.name", "logs-svc")
	rl.Resource().Attributes().PutStr("k8s.pod.name", "pod-1")
	rl.Resource().SetDroppedAttributesCount(3)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.SetSchemaUrl("https://opentelemetry.io/schemas/scope")
	sl.Scope().SetName("scope-name")
	sl.Scope().SetVersion("v1.2.3")
	sl.Scope().Attributes().PutStr("scope.attr", "x")
	sl.Scope().SetDroppedAttributesCount(2)

	lr := sl.LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(1500 * time.Millisecond)))
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(base.Add(2 * time.Second)))
	lr.SetTraceID(fullTraceID)
	lr.SetSpanID(fullSpanID)
	lr.SetFlags(plog.DefaultLogRecordFlags.WithIsSampled(true))
	lr.SetSeverityText("WARN")
	lr.SetSeverityNumber(plog.SeverityNumberWarn)
	lr.Body().SetStr("hello world")
	putAllKinds(lr.Attributes())
	lr.SetDroppedAttributesCount(4)
	lr.SetEventName("app.started")

	// No Timestamp: stored at ObservedTimestamp (ClickHouse exporter rule).
	// Body is a map: stored as JSON.
	lr2 := sl.LogRecords().AppendEmpty()
	lr2.SetObservedTimestamp(pcommon.NewTimestampFromTime(base.Add(3 * time.Second)))
	lr2.Body().SetEmptyMap().PutInt("a", 1)

	if err := s.InsertLogs(context.Background(), ld); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
	res := search(t, s, &schema.LogsSource, base.Add(-time.Hour), base.Add(time.Hour), 10)
	if len(res.Rows) != 2 || res.Count != 2 {
		t.Fatalf("got %d rows (count %d), want 2", len(res.Rows), res.Count)
	}
	shared := map[string]any{
		"ServiceName":              "logs-svc",
		"ResourceSchemaUrl":        "https://opentelemetry.io/schemas/resource",
		"ResourceAttributes":       map[string]string{"service.name": "logs-svc", "k8s.pod.name": "pod-1"},
		"ResourceDroppedAttrCount": 3,
		"ScopeSchemaUrl":           "https://opentelemetry.io/schemas/scope",
		"ScopeName":                "scope-name",
		"ScopeVersion":             "v1.2.3",
		"ScopeAttributes":          map[string]string{"scope.attr": "x"},
		"ScopeDroppedAttrCount":    2,
	}
	want := map[string]any{
		"Timestamp":              base.Add(1500 * time.Millisecond),
		"TimestampTime":          base.Add(1500 * time.Millisecond).Truncate(time.Second),
		"ObservedTimestamp":      base.Add(2 * time.Second),
		"TraceId":                "5b8efff798038103d269b633813fc60c",
		"SpanId":                 "eee19b7ec3c1b174",
		"TraceFlags":             1,
		"SeverityText":           "WARN",
		"SeverityNumber":         13,
		"Body":                   "hello world",
		"LogAttributes":          allKinds,
		"DroppedAttributesCount": 4,
		"EventName":              "app.started",
	}
	for k, v := range shared {
		want[k] = v
	}
	// Newest first: lr2 (base+3s) then lr (base+1.5s).
	checkRow(t, "log record", res.Rows[1], want)
	want2 := map[string]any{
		"Timestamp":              base.Add(3 * time.Second),
		"TimestampTime":          base.Add(3 * time.Second).Truncate(time.Second),
		"ObservedTimestamp":      base.Add(3 * time.Second),
		"TraceId":                "",
		"SpanId":                 "",
		"TraceFlags":             0,
		"SeverityText":           "",
		"SeverityNumber":         0,
		"Body":                   `{"a":1}`,
		"LogAttributes":          map[string]string{},
		"DroppedAttributesCount": 0,
		"EventName":              "",
	}
	for k, v := range shared {
		want2[k] = v
	}
	checkRow(t, "log without timestamp", res.Rows[0], want2)
	checkColumns(t, res.Rows[0], &schema.Logs)
}

// checkColumns fails t unless row has exactly the table's columns (Nested
// ones flattened).
func checkColumns(t *testing.T, row store.Row, tbl *schema.Table) {
	t.Helper()
	n := 0
	for _, c := range tbl.Columns {
		names := []string{c.Name}
		if c.Type == schema.Nested {
			names = names[:0]
			for _, f := range c.Fields {
				names = append(names, c.Name+"."+f.Name)
			}
		}
		for _, name := range names {
			n++
			if _, ok := row[name]; !ok {
				t.Errorf("%s row lacks column %s", tbl.Name, name)
			}
		}
	}
	if len(row) != n {
		t.Errorf("%s row has %d keys, want %d: %v", tbl.Name, len(row), n, rowKeys(row))
	}
}

func testTracesRoundTrip(t *testing.T, open Opener) {
	s := openStore(t, open)
	base := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Minute)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.SetSchemaUrl("https://opentelemetry.io/schemas/resource")
	rs.Resource().Attributes().PutStr("service.name", "trace-svc")
	rs.Resource().SetDroppedAttributesCount(3)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.SetSchemaUrl("https://opentelemetry.io/schemas/scope")
	ss.Scope().SetName("tracer")
	ss.Scope().SetVersion("0.1.0")
	ss.Scope().Attributes().PutStr("scope.attr", "y")
	ss.Scope().SetDroppedAttributesCount(2)

	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(fullTraceID)
	sp.SetSpanID(fullSpanID)
	sp.SetParentSpanID(parentID)
	sp.TraceState().FromRaw("rojo=00f067aa0ba902b7")
	sp.SetFlags(0x301)
	sp.SetName("GET /api/cart")
	sp.SetKind(ptrace.SpanKindServer)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(base))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(base.Add(1234567 * time.Nanosecond)))
	putAllKinds(sp.Attributes())
	sp.SetDroppedAttributesCount(5)
	sp.SetDroppedEventsCount(6)
	sp.SetDroppedLinksCount(7)
	sp.Status().SetCode(ptrace.StatusCodeError)
	sp.Status().SetMessage("boom")
	ev := sp.Events().AppendEmpty()
	ev.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Microsecond)))
	ev.SetName("exception")
	ev.Attributes().PutStr("exception.type", "io.EOF")
	ev2 := sp.Events().AppendEmpty()
	ev2.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(2 * time.Microsecond)))
	ev2.SetName("retry")
	ev2.SetDroppedAttributesCount(1)
	l := sp.Links().AppendEmpty()
	l.SetTraceID(linkTraceID)
	l.SetSpanID(linkSpanID)
	l.TraceState().FromRaw("congo=t61rcWkgMzE")
	l.Attributes().PutStr("link.kind", "follows_from")
	l.SetDroppedAttributesCount(8)
	l.SetFlags(0x101)
	l2 := sp.Links().AppendEmpty()
	l2.SetSpanID(linkSpanID)

	// A second span with nothing set but ids and times.
	sp2 := ss.Spans().AppendEmpty()
	sp2.SetTraceID(fullTraceID)
	sp2.SetSpanID(parentID)
	sp2.SetStartTimestamp(pcommon.NewTimestampFromTime(base.Add(-time.Millisecond)))
	sp2.SetEndTimestamp(pcommon.NewTimestampFromTime(base.Add(2 * time.Millisecond)))

	if err := s.InsertTraces(context.Background(), td); err != nil {
		t.Fatalf("InsertTraces: %v", err)
	}
	rows, err := s.Trace(context.Background(), "5b8efff798038103d269b633813fc60c")
	if err != nil {
		t.Fatalf("Trace: %v", err)
	}
	if len(rows) != 2 {
		t.Fatalf("Trace returned %d spans, want 2", len(rows))
	}
	checkColumns(t, rows[0], &schema.Traces)
	checkRow(t, "bare span", rows[0], map[string]any{
		"Timestamp": base.Add(-time.Millisecond), "SpanId": "eee19b7ec3c1b173", "ParentSpanId": "",
		"TraceState": "", "SpanName": "", "SpanKind": "Unspecified", "StatusCode": "Unset",
		"StatusMessage": "", "Duration": 3 * time.Millisecond.Nanoseconds(),
		"SpanAttributes": map[string]string{}, "Events.Name": []string{}, "Events.Timestamp": []time.Time{},
		"Events.Attributes": []map[string]string{}, "Links.TraceId": []string{}, "Links.Flags": []uint32{},
		"TraceFlags": 0, "DroppedAttributesCount": 0, "DroppedEventsCount": 0, "DroppedLinksCount": 0,
	})
	checkRow(t, "full span", rows[1], map[string]any{
		"Timestamp":                     base,
		"TraceId":                       "5b8efff798038103d269b633813fc60c",
		"SpanId":                        "eee19b7ec3c1b174",
		"ParentSpanId":                  "eee19b7ec3c1b173",
		"TraceState":                    "rojo=00f067aa0ba902b7",
		"SpanName":                      "GET /api/cart",
		"SpanKind":                      "Server",
		"ServiceName":                   "trace-svc",
		"ResourceAttributes":            map[string]string{"service.name": "trace-svc"},
		"ResourceSchemaUrl":             "https://opentelemetry.io/schemas/resource",
		"ResourceDroppedAttrCount":      3,
		"ScopeName":                     "tracer",
		"ScopeVersion":                  "0.1.0",
		"ScopeAttributes":               map[string]string{"scope.attr": "y"},
		"ScopeSchemaUrl":                "https://opentelemetry.io/schemas/scope",
		"ScopeDroppedAttrCount":         2,
		"SpanAttributes":                allKinds,
		"Duration":                      1234567,
		"StatusCode":                    "Error",
		"StatusMessage":                 "boom",
		"TraceFlags":                    0x301,
		"DroppedAttributesCount":        5,
		"DroppedEventsCount":            6,
		"DroppedLinksCount":             7,
		"Events.Timestamp":              []time.Time{base.Add(time.Microsecond), base.Add(2 * time.Microsecond)},
		"Events.Name":                   []string{"exception", "retry"},
		"Events.Attributes":             []map[string]string{{"exception.type": "io.EOF"}, {}},
		"Events.DroppedAttributesCount": []uint32{0, 1},
		"Links.TraceId":                 []string{"0af7651916cd43dd8448eb211c80319c", ""},
		"Links.SpanId":                  []string{"b7ad6b7169203331", "b7ad6b7169203331"},
		"Links.TraceState":              []string{"congo=t61rcWkgMzE", ""},
		"Links.Attributes":              []map[string]string{{"link.kind": "follows_from"}, {}},
		"Links.DroppedAttributesCount":  []uint32{8, 0},
		"Links.Flags":                   []uint32{0x101, 0},
	})
	// The same span through Search.
	res := search(t, s, &schema.TracesSource, base.Add(-time.Hour), base.Add(time.Hour), 10)
	if res.Count != 2 || len(res.Rows) != 2 || res.Rows[0]["SpanId"] != "eee19b7ec3c1b174" {
		t.Fatalf("Search traces: count %d, rows %d, first %v", res.Count, len(res.Rows), res.Rows)
	}
}

// metricSource makes a searchable source of a metrics table.
func metricSource(tbl *schema.Table) *schema.Source {
	return &schema.Source{Name: tbl.Name, Table: tbl}
}

func testMetricsRoundTrip(t *testing.T, open Opener) {
	s := openStore(t, open)
	now := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Minute)
	md := SampleMetricsAt(now)
	md.ResourceMetrics().At(0).SetSchemaUrl("https://opentelemetry.io/schemas/resource")
	sm := md.ResourceMetrics().At(0).ScopeMetrics().At(0)
	sm.SetSchemaUrl("https://opentelemetry.io/schemas/scope")
	sm.Scope().Attributes().PutStr("scope.attr", "z")
	sm.Scope().SetDroppedAttributesCount(2)
	if err := s.InsertMetrics(context.Background(), md); err != nil {
		t.Fatalf("InsertMetrics: %v", err)
	}
	start := now.Add(-time.Minute)
	head := map[string]any{
		"ServiceName": "frontend", "ResourceSchemaUrl": "https://opentelemetry.io/schemas/resource",
		"ScopeName": "go.opentelemetry.io/otel/sdk/metric", "ScopeVersion": "1.28.0",
		"ScopeAttributes": map[string]string{"scope.attr": "z"}, "ScopeDroppedAttrCount": 2,
		"ScopeSchemaUrl": "https://opentelemetry.io/schemas/scope", "TimeUnix": now,
	}
	exemplarTrace, exemplarSpan := ids(7, 0, 0)
	cases := []struct {
		table *schema.Table
		rows  int
		want  map[string]any // of the frontend row, newest-first first row
		pick  func(store.Row) bool
	}{
		{&schema.MetricsGauge, 4, map[string]any{
			"MetricName": "visa_validation_cache.size", "MetricUnit": "{entries}",
			"MetricDescription": "entries in the visa validation cache",
			"Attributes":        map[string]string{"cache": "visa"}, "Value": 1234.5, "Flags": 0,
			"StartTimeUnix":                time.Unix(0, 0),
			"Exemplars.FilteredAttributes": []map[string]string{{"user.id": "user-1"}},
			"Exemplars.TimeUnix":           []time.Time{now}, "Exemplars.Value": []float64{1200},
			"Exemplars.TraceId": []string{hex.EncodeToString(exemplarTrace[:])},
			"Exemplars.SpanId":  []string{hex.EncodeToString(exemplarSpan[:])},
		}, func(r store.Row) bool { return r["ServiceName"] == "frontend" && equalValue(r["Value"], 1234.5) }},
		{&schema.MetricsGauge, 4, map[string]any{"Attributes": map[string]string{"cache": "amex"}, "Value": 42.0,
			"Exemplars.Value": []float64{}},
			func(r store.Row) bool { return r["ServiceName"] == "frontend" && equalValue(r["Value"], 42.0) }},
		{&schema.MetricsSum, 2, map[string]any{
			"MetricName": "http.server.request.count", "Value": 1000.0, "StartTimeUnix": start,
			"AggregationTemporality": int32(pmetric.AggregationTemporalityCumulative), "IsMonotonic": true,
			"Attributes": map[string]string{"http.route": "/api/cart"},
		}, nil},
		{&schema.MetricsHistogram, 2, map[string]any{
			"MetricName": "http.server.duration", "MetricUnit": "ms", "Count": 10, "Sum": 123.5,
			"Min": 0.5, "Max": 80.0, "ExplicitBounds": []float64{1, 10, 100},
			"BucketCounts": []uint64{2, 5, 3, 0}, "Flags": 0, "HasSum": true, "HasMin": true, "HasMax": true,
			"AggregationTemporality": int32(pmetric.AggregationTemporalityDelta),
			"Exemplars.Value":        []float64{75}, "Exemplars.TraceId": []string{""},
			"Exemplars.SpanId": []string{""}, "Exemplars.FilteredAttributes": []map[string]string{{}},
		}, nil},
		{&schema.MetricsExpHistogram, 2, map[string]any{
			"MetricName": "rpc.server.latency", "Count": 12, "Sum": 3.25, "Scale": 3, "ZeroCount": 1, "ZeroThreshold": 1e-9,
			"CounterResetHint": 0, "HasFloatCounts": false, "FloatPositiveBucketCounts": []float64{},
			"HasSum": true, "HasMin": true, "HasMax": true,
			"PositiveOffset": -2, "PositiveBucketCounts": []uint64{1, 4, 6},
			"NegativeOffset": 1, "NegativeBucketCounts": []uint64{0}, "Min": 0.01, "Max": 1.5,
			"AggregationTemporality": int32(pmetric.AggregationTemporalityCumulative),
		}, nil},
		{&schema.MetricsSummary, 2, map[string]any{
			"MetricName": "gc.pause", "Count": 100, "Sum": 250.0,
			"ValueAtQuantiles.Quantile": []float64{0.5, 0.99}, "ValueAtQuantiles.Value": []float64{2, 9.5},
		}, nil},
	}
	for _, c := range cases {
		res := search(t, s, metricSource(c.table), now.Add(-time.Hour), now.Add(time.Hour), 100)
		if len(res.Rows) != c.rows {
			t.Errorf("%s: %d rows, want %d", c.table.Name, len(res.Rows), c.rows)
			continue
		}
		pick := c.pick
		if pick == nil {
			pick = func(r store.Row) bool { return r["ServiceName"] == "frontend" }
		}
		var row store.Row
		for _, r := range res.Rows {
			if pick(r) {
				row = r
			}
		}
		if row == nil {
			t.Errorf("%s: no matching row in %v", c.table.Name, res.Rows)
			continue
		}
		checkColumns(t, row, c.table)
		checkRow(t, c.table.Name, row, head)
		checkRow(t, c.table.Name, row, c.want)
	}
}
