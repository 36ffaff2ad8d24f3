package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// TenantOpener opens the store of tenant for test t, the way the server
// opens a tenant's store: for DuckDB a directory of its own under one
// root, for ClickHouse a database of its own on one server. Two tenants of
// one t MUST be open at the same time.
type TenantOpener = func(t *testing.T, tenant string) store.Store

// RunTenantIsolation proves tenant isolation (issue 14): two tenants'
// stores of one backend, each written its own logs, spans, metrics and
// session, and every read method of either returns only its own data.
func RunTenantIsolation(t *testing.T, open TenantOpener) {
	tenants := []string{"alpha", "beta"}
	stores := map[string]store.Store{}
	now := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Minute)
	for i, tn := range tenants {
		s := &onceStore{Store: open(t, tn)}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close %s: %v", tn, err)
			}
		})
		stores[tn] = s
		writeTenant(t, s, tn, byte(i+1), now)
	}
	start, end := now.Add(-time.Hour), now.Add(time.Hour)
	ctx := context.Background()
	for i, tn := range tenants {
		other := tenants[1-i]
		s := stores[tn]
		own, foreign := tenantTraceID(byte(i+1)), tenantTraceID(byte(2-i))
		t.Run(tn, func(t *testing.T) {
			for _, src := range []*schema.Source{&schema.LogsSource, &schema.TracesSource} {
				res := search(t, s, src, start, end, 100)
				if res.Count != 2 || len(res.Rows) != 2 {
					t.Errorf("Search %s: %d rows (count %d), want 2", src.Name, len(res.Rows), res.Count)
				}
				for _, r := range res.Rows {
					if r["ServiceName"] != "svc-"+tn {
						t.Errorf("Search %s: a row of %v", src.Name, r["ServiceName"])
					}
				}
			}
			res, err := s.Search(ctx, store.SearchParams{Source: metricSource(&schema.MetricsGauge), Start: start, End: end, Limit: 100})
			if err != nil || len(res.Rows) != 1 || res.Rows[0]["MetricName"] != "metric_"+tn {
				t.Errorf("Search gauge: %v %v", res.Rows, err)
			}
			if rows, err := s.Trace(ctx, own.String()); err != nil || len(rows) != 2 {
				t.Errorf("Trace own: %d rows %v", len(rows), err)
			}
			if rows, err := s.Trace(ctx, foreign.String()); err != nil || len(rows) != 0 {
				t.Errorf("Trace of %s: %d rows %v", other, len(rows), err)
			}
			if rows, err := s.TraceLogs(ctx, own.String(), 100); err != nil || len(rows) != 2 {
				t.Errorf("TraceLogs own: %d rows %v", len(rows), err)
			}
			if rows, err := s.TraceLogs(ctx, foreign.String(), 100); err != nil || len(rows) != 0 {
				t.Errorf("TraceLogs of %s: %d rows %v", other, len(rows), err)
			}
			for _, src := range []*schema.Source{&schema.LogsSource, &schema.TracesSource} {
				fields, err := s.Fields(ctx, store.FieldsParams{Source: src, Start: start, End: end})
				if err != nil {
					t.Fatalf("Fields %s: %v", src.Name, err)
				}
				var names []string
				for _, f := range fields {
					names = append(names, f.Name)
				}
				joined := strings.Join(names, " ")
				if !strings.Contains(joined, "only_"+tn) || strings.Contains(joined, "only_"+other) {
					t.Errorf("Fields %s: %s", src.Name, joined)
				}
			}
			for _, source := range []string{"logs", "traces", "metrics"} {
				field := "ServiceName"
				if source == "metrics" {
					field = "MetricName"
				}
				vals, err := s.Values(ctx, store.ValuesParams{Source: source, Field: field, Start: start, End: end})
				if err != nil {
					t.Fatalf("Values %s: %v", source, err)
				}
				for _, v := range vals {
					if strings.Contains(v.Value, other) {
						t.Errorf("Values %s.%s: %q of %s", source, field, v.Value, other)
					}
				}
				if len(vals) == 0 {
					t.Errorf("Values %s.%s: none", source, field)
				}
			}
			chart, err := s.Chart(ctx, store.ChartParams{Start: start, End: end, Request: &query.ChartRequest{
				Source: "logs", DisplayType: "number", Select: []query.ChartSelect{{AggFn: "count"}}}})
			if err != nil || len(chart.Series) != 1 || len(chart.Series[0].Points) != 1 || chart.Series[0].Points[0].V != 2 {
				t.Errorf("Chart count: %+v %v", chart, err)
			}
			if mr, ok := s.(store.MetricReader); ok {
				infos, err := mr.MetricInfos(ctx, start, end)
				var names []string
				for _, in := range infos {
					names = append(names, in.Name)
				}
				if err != nil || !slices.Equal(names, []string{"metric_" + tn}) {
					t.Errorf("MetricInfos: %v %v", names, err)
				}
				series, err := mr.SelectMetrics(ctx, store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"metric_" + other}, Start: start, End: end})
				if err != nil || len(series) != 0 {
					t.Errorf("SelectMetrics of %s: %d series %v", other, len(series), err)
				}
			}
			if ts, ok := s.(store.TraceQLSearcher); ok {
				q, err := traceql.Parse("{}")
				if err != nil {
					t.Fatal(err)
				}
				found, err := ts.TraceQLSearch(ctx, store.TraceQLSearchParams{Query: q, Start: start, End: end, Limit: 20, SpansPerSet: 3})
				if err != nil || len(found) != 1 || !strings.HasSuffix(own.String(), strings.TrimLeft(found[0].TraceID, "0")) {
					t.Errorf("TraceQLSearch: %+v %v", found, err)
				}
			}
			if sr, ok := s.(store.SessionReader); ok {
				sess, err := sr.Sessions(ctx, store.SessionsParams{Start: start, End: end})
				if err != nil || len(sess) != 1 || sess[0].SessionID != "sess-"+tn {
					t.Errorf("Sessions: %+v %v", sess, err)
				}
			}
			if ta, ok := s.(store.TextAnalyzer); ok {
				sample, err := ta.SampleTexts(ctx, store.Scope{Source: &schema.LogsSource, Start: start, End: end}, 100)
				if err != nil || sample.Total != 2 {
					t.Errorf("SampleTexts: %+v %v", sample, err)
				}
				for _, r := range sample.Rows {
					if !strings.Contains(r.Text, tn) {
						t.Errorf("SampleTexts: %q", r.Text)
					}
				}
			}
		})
	}
}

func tenantTraceID(n byte) pcommon.TraceID {
	return pcommon.TraceID{n, n, n, n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n}
}

// writeTenant writes tenant tn's data: 2 logs and 2 spans of service
// svc-<tn> in one trace, with attribute only_<tn> and session sess-<tn>,
// and one gauge point of metric_<tn>.
func writeTenant(t *testing.T, s store.Store, tn string, n byte, at time.Time) {
	t.Helper()
	ctx := context.Background()
	ts := pcommon.NewTimestampFromTime(at)
	tid := tenantTraceID(n)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "svc-"+tn)
	rs.Resource().Attributes().PutStr(store.SessionAttr, "sess-"+tn)
	for i := range 2 {
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(tid)
		sp.SetSpanID(pcommon.SpanID{n, byte(i + 1)})
		sp.SetName(fmt.Sprintf("span-%s-%d", tn, i))
		sp.SetStartTimestamp(ts)
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Millisecond)))
		sp.Attributes().PutStr("only_"+tn, "x")
	}
	if err := s.InsertTraces(ctx, td); err != nil {
		t.Fatalf("InsertTraces %s: %v", tn, err)
	}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "svc-"+tn)
	rl.Resource().Attributes().PutStr(store.SessionAttr, "sess-"+tn)
	for i := range 2 {
		lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.SetTimestamp(ts)
		lr.Body().SetStr(fmt.Sprintf("log of %s number %d", tn, i))
		lr.SetTraceID(tid)
		lr.Attributes().PutStr("only_"+tn, "x")
	}
	if err := s.InsertLogs(ctx, ld); err != nil {
		t.Fatalf("InsertLogs %s: %v", tn, err)
	}
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "svc-"+tn)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("metric_" + tn)
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(ts)
	dp.SetDoubleValue(float64(n))
	if err := s.InsertMetrics(ctx, md); err != nil {
		t.Fatalf("InsertMetrics %s: %v", tn, err)
	}
}
