package clickhouse

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// TestReadOnlyExporterDatabase reads a database created with the OTel
// ClickHouse exporter's own DDL (testdata/exporter_schema.sql) and rows
// written as the exporter writes them: read_only runs no DDL and no
// writes, finds what the tables lack (overlook's extra columns read as
// zero values), and answers search, trace by ID, trace logs and charts.
func TestReadOnlyExporterDatabase(t *testing.T) {
	srv := server(t)
	ctx := context.Background()
	c, err := ch.Open(&ch.Options{Protocol: ch.HTTP, Addr: []string{srv.Endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ddl, err := os.ReadFile("testdata/exporter_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"CREATE DATABASE otel"}
	for _, s := range strings.Split(string(ddl), "\n;\n") {
		stmts = append(stmts, s)
	}
	const tid = "0af7651916cd43dd8448eb211c80319c"
	stmts = append(stmts,
		`INSERT INTO otel.otel_logs (Timestamp, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body,
			ResourceSchemaUrl, ResourceAttributes, ScopeSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, LogAttributes)
		 VALUES (now64(9) - 60, '`+tid+`', 'b7ad6b7169203331', 1, 'ERROR', 17, 'cart', 'payment failed for user 42',
			'', map('service.name', 'cart', 'k8s.pod.name', 'cart-1'), '', 'cartlib', '1.0', map(), map('user.id', '42')),
			(now64(9) - 50, '', '', 0, 'INFO', 9, 'cart', 'cart emptied', '', map('service.name', 'cart'), '', 'cartlib', '1.0', map(), map())`,
		`INSERT INTO otel.otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
			ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage,
			`+"`Events.Timestamp`, `Events.Name`, `Events.Attributes`, `Links.TraceId`, `Links.SpanId`, `Links.TraceState`, `Links.Attributes`"+`)
		 VALUES (now64(9) - 61, '`+tid+`', 'b7ad6b7169203331', '', '', 'POST /cart', 'Server', 'cart', map('service.name', 'cart'),
			'cartlib', '1.0', map('http.method', 'POST'), 2000000, 'Error', 'boom', [now64(9) - 60.5], ['retry'], [map('n', '1')], [], [], [], []),
			(now64(9) - 60.9, '`+tid+`', '00f067aa0ba902b7', 'b7ad6b7169203331', '', 'SELECT cart', 'Client', 'cart', map('service.name', 'cart'),
			'cartlib', '1.0', map('db.system', 'redis'), 500000, 'Unset', '', [], [], [], [], [], [], [])`,
	)
	for _, s := range stmts {
		if err := c.Exec(ctx, s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	tables := func() uint64 {
		var n uint64
		if err := c.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = 'otel'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := tables()

	st, err := Open(ctx, Config{Endpoint: "http://" + srv.Endpoint, Database: "otel", ReadOnly: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := tables(); n != before {
		t.Fatalf("read_only open changed the database: %d tables, had %d", n, before)
	}
	now := time.Now().UTC()
	lo, hi := now.Add(-time.Hour), now.Add(time.Minute)

	f, err := query.Parse("LogAttributes.user.id:42")
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(ctx, store.SearchParams{Source: &schema.LogsSource, Filter: f, Start: lo, End: hi})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 1 || res.Rows[0]["Body"] != "payment failed for user 42" || res.Rows[0]["EventName"] != "" ||
		res.Rows[0]["DroppedAttributesCount"] != uint32(0) {
		t.Fatalf("search: count %d rows %v", res.Count, res.Rows)
	}
	spans, err := st.Trace(ctx, tid)
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 2 || spans[0]["SpanName"] != "POST /cart" || spans[1]["ParentSpanId"] != "b7ad6b7169203331" {
		t.Fatalf("trace: %v", spans)
	}
	if d, ok := spans[0]["Events.DroppedAttributesCount"].([]uint32); !ok || len(d) != 1 || d[0] != 0 {
		t.Errorf("missing nested field: Events.DroppedAttributesCount = %#v, want []uint32{0}", spans[0]["Events.DroppedAttributesCount"])
	}
	if names, _ := spans[0]["Events.Name"].([]string); len(names) != 1 || names[0] != "retry" {
		t.Errorf("Events.Name = %#v", spans[0]["Events.Name"])
	}
	logs, err := st.TraceLogs(ctx, tid, 0)
	if err != nil || len(logs) != 1 {
		t.Fatalf("trace logs: %v, %d rows", err, len(logs))
	}
	chart, err := st.Chart(ctx, store.ChartParams{Start: lo, End: hi, Request: &query.ChartRequest{Source: "traces",
		Select: []query.ChartSelect{{AggFn: "count"}}, Where: "SpanAttributes.http.method:POST", DisplayType: "number"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(chart.Series) != 1 || len(chart.Series[0].Points) != 1 || chart.Series[0].Points[0].V != 1 {
		t.Fatalf("chart: %+v", chart.Series)
	}
	if err := st.InsertLogs(ctx, storetest.SampleLogs(1)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("insert into read_only store: %v, want ErrReadOnly", err)
	}
}
