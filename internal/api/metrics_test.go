package api

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// insertTemporal stores seed 000's workflow success gauge for two
// namespaces and a counter, both from the "temporal" service.
func insertTemporal(t *testing.T, a *Server) {
	t.Helper()
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "temporal")
	rm.Resource().Attributes().PutStr("k8s.pod.name", "temporal-0")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	g := ms.AppendEmpty()
	g.SetName("temporal_cloud_v1_workflow_success_count")
	g.SetDescription("The number of workflows that completed successfully")
	g.SetUnit("1")
	gauge := g.SetEmptyGauge()
	for i, ns := range []string{"prod.a1b2", "prod.a1b2", "dev.c3d4"} {
		p := gauge.DataPoints().AppendEmpty()
		p.SetTimestamp(pcommon.NewTimestampFromTime(testNow.Add(-time.Duration(i+1) * time.Minute)))
		p.SetDoubleValue(float64(i))
		p.Attributes().PutStr("temporal_namespace", ns)
	}
	c := ms.AppendEmpty()
	c.SetName("http.server.requests")
	sum := c.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	p := sum.DataPoints().AppendEmpty()
	p.SetTimestamp(pcommon.NewTimestampFromTime(testNow.Add(-time.Minute)))
	p.SetDoubleValue(5)
	if err := a.opts.Store.InsertMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
}

func TestMetricsDiscovery(t *testing.T) {
	srv, a := newTestServer(t)
	insertTemporal(t, a)
	rng := "&start=" + url.QueryEscape(testNow.Add(-time.Hour).Format(time.RFC3339)) +
		"&end=" + url.QueryEscape(testNow.Add(time.Minute).Format(time.RFC3339))

	code, body := do(t, "GET", srv.URL+"/api/metrics?q=WORKFLOW_success"+rng, "")
	if code != 200 {
		t.Fatalf("metrics: %d %v", code, body)
	}
	list := body["metrics"].([]any)
	if len(list) != 1 {
		t.Fatalf("want 1 metric, got %v", list)
	}
	m := list[0].(map[string]any)
	if m["name"] != "temporal_cloud_v1_workflow_success_count" || m["type"] != "gauge" || m["unit"] != "1" ||
		m["description"] != "The number of workflows that completed successfully" ||
		m["promName"] != "temporal_cloud_v1_workflow_success_count_ratio" || m["promType"] != "gauge" {
		t.Errorf("metric: %v", m)
	}
	// The Prometheus name finds the stored one.
	_, body = do(t, "GET", srv.URL+"/api/metrics?q=http_server_requests_total"+rng, "")
	if list := body["metrics"].([]any); len(list) != 1 || list[0].(map[string]any)["name"] != "http.server.requests" ||
		list[0].(map[string]any)["temporality"] != "cumulative" {
		t.Errorf("by Prometheus name: %v", list)
	}

	base := srv.URL + "/api/metrics/labels?name=temporal_cloud_v1_workflow_success_count&type=gauge" + rng
	code, body = do(t, "GET", base, "")
	if code != 200 {
		t.Fatalf("labels: %d %v", code, body)
	}
	if body["series"] != 2.0 {
		t.Errorf("series: %v", body["series"])
	}
	labels := body["labels"].([]any)
	first := labels[0].(map[string]any)
	if len(labels) != 4 || first["column"] != "Attributes" || first["key"] != "temporal_namespace" || first["values"] != 2.0 {
		t.Errorf("labels: %v", labels)
	}

	code, body = do(t, "GET", srv.URL+"/api/metrics/labels/values?name=temporal_cloud_v1_workflow_success_count&type=gauge&column=Attributes&key=temporal_namespace"+rng, "")
	if code != 200 {
		t.Fatalf("values: %d %v", code, body)
	}
	vals := body["values"].([]any)
	if len(vals) != 2 || vals[0].(map[string]any)["series"] != 1.0 || vals[0].(map[string]any)["value"] != "dev.c3d4" {
		t.Errorf("values: %v", vals)
	}

	for _, tc := range []struct{ path, want string }{
		{"/api/metrics/labels?type=gauge", "name is required"},
		{"/api/metrics/labels?name=x&type=counter", `unknown metric type "counter"`},
		{"/api/metrics/labels/values?name=x&type=gauge&column=Attributes", "key is required"},
		{"/api/metrics?limit=0", `limit "0" must be a positive integer`},
	} {
		code, body := do(t, "GET", srv.URL+tc.path, "")
		if code != 400 || body["error"] == nil || !strings.Contains(body["error"].(string), tc.want) {
			t.Errorf("%s: %d %v, want 400 with %q", tc.path, code, body, tc.want)
		}
	}
}
