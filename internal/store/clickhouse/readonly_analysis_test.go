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

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// TestReadOnlyClickStackAnalysis: on a database of the exporter's own DDL
// plus ClickStack's hyperdx_sessions (testdata/clickstack_sessions.sql),
// filled as ClickStack's collector fills them, read_only answers the
// Sessions page, Event Patterns, Event Deltas and facets; the metric
// metadata, which lives in a table overlook creates, reads as none and
// puts are refused.
func TestReadOnlyClickStackAnalysis(t *testing.T) {
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
	sess, err := os.ReadFile("testdata/clickstack_sessions.sql")
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"CREATE DATABASE otel"}
	stmts = append(stmts, strings.Split(string(ddl), "\n;\n")...)
	stmts = append(stmts, strings.ReplaceAll(string(sess), "otel.", "otelcs."))
	for i, s := range stmts {
		stmts[i] = strings.NewReplacer(`"otel".`, `"otelcs".`, "`otel`.", "`otelcs`.", "DATABASE otel", "DATABASE otelcs").Replace(s)
	}
	stmts = append(stmts,
		`INSERT INTO otelcs.otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
			ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage)
		 VALUES (now64(9) - 60, 'a1', 's1', '', '', 'documentLoad', 'Internal', 'shop-web', map('service.name', 'shop-web', 'rum.sessionId', 'sess-1'),
			'', '', map('component', 'document-load', 'userEmail', 'ana@example.com', 'location.href', 'http://shop/'), 300000000, 'Unset', ''),
			(now64(9) - 55, 'a2', 's2', '', '', 'HTTP POST', 'Client', 'shop-web', map('service.name', 'shop-web', 'rum.sessionId', 'sess-1'),
			'', '', map('component', 'fetch', 'http.status_code', '500', 'location.href', 'http://shop/cart'), 40000000, 'Error', 'checkout failed')`,
		`INSERT INTO otelcs.hyperdx_sessions (Timestamp, ServiceName, Body, ResourceAttributes, LogAttributes)
		 VALUES (now64(9) - 59, 'shop-web', '{"type":4}', map('rum.sessionId', 'sess-1'), map('rr-web.event', '1', 'rr-web.chunk', '1', 'rr-web.total-chunks', '1')),
			(now64(9) - 58, 'shop-web', '{"type":2}', map('rum.sessionId', 'sess-1'), map('rr-web.event', '2', 'rr-web.chunk', '1', 'rr-web.total-chunks', '1'))`,
	)
	for _, s := range stmts {
		if err := c.Exec(ctx, s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	st, err := Open(ctx, Config{Endpoint: "http://" + srv.Endpoint, Database: "otelcs", ReadOnly: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	lo, hi := now.Add(-time.Hour), now.Add(time.Minute)

	ss, err := st.Sessions(ctx, store.SessionsParams{Start: lo, End: hi})
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].SessionID != "sess-1" || ss[0].ErrorCount != 1 || ss[0].RequestCount != 1 || ss[0].PageViews != 1 ||
		ss[0].UserEmail != "ana@example.com" || ss[0].LastURL != "http://shop/cart" {
		t.Fatalf("sessions: %+v", ss)
	}
	recs, more, err := st.SessionRecords(ctx, store.SessionRecordsParams{SessionID: "sess-1", Start: lo, End: hi})
	if err != nil || more || len(recs) != 2 || recs[0].Body != `{"type":4}` || recs[1].Event != 2 {
		t.Fatalf("records: %+v more %v err %v", recs, more, err)
	}
	traces := store.Scope{Source: &schema.TracesSource, Start: lo, End: hi}
	pcs, n, err := st.PatternCounts(ctx, store.PatternCountParams{Scope: traces, Patterns: []string{"HTTP POST %"}, Step: time.Minute})
	if err != nil || n != 2 || pcs[0].Count != 1 || pcs[0].Errors != 1 {
		t.Fatalf("pattern counts: %+v %d %v", pcs, n, err)
	}
	dmin := int64(10 * time.Millisecond)
	dmax := int64(100 * time.Millisecond)
	dr, err := st.Deltas(ctx, store.DeltaParams{Scope: traces, DurationMin: &dmin, DurationMax: &dmax, MaxRows: 100, MaxValues: 5})
	if err != nil || dr.SelectionCount != 1 || dr.BackgroundCount != 1 || len(dr.Fields) == 0 {
		t.Fatalf("deltas: %+v %v", dr, err)
	}
	fr, err := st.Facets(ctx, store.FacetParams{Scope: traces, Fields: []string{"SpanName"}, Names: []string{"SpanName"}, Limit: 5, MaxRows: 100})
	if err != nil || fr.Facets[0].Distinct != 2 {
		t.Fatalf("facets: %+v %v", fr, err)
	}
	if mds, err := st.MetricMetadata(ctx); err != nil || len(mds) != 0 {
		t.Fatalf("metric metadata on a ClickStack database: %v %v", mds, err)
	}
	if err := st.PutMetricMetadata(ctx, []store.MetricFamilyMetadata{{Family: "x", Type: "gauge"}}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("put metric metadata read_only: %v", err)
	}
}
