package promapi

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// TestTargetInfoJoin stores OTLP metrics of two resources and joins their
// rate with target_info on job and instance, as Prometheus users do.
func TestTargetInfoJoin(t *testing.T) {
	srv, st := newTestAPI(t)
	md := pmetric.NewMetrics()
	for i, pod := range []string{"p1", "p2"} {
		rm := md.ResourceMetrics().AppendEmpty()
		ra := rm.Resource().Attributes()
		ra.PutStr("service.name", "checkout")
		ra.PutStr("service.instance.id", "i"+strconv.Itoa(i))
		ra.PutStr("k8s.pod.name", pod)
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("orders")
		sum := m.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		for j := 0; j <= 40; j++ {
			dp := sum.DataPoints().AppendEmpty()
			dp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(-11 * time.Minute)))
			dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(-10 * time.Minute).Add(time.Duration(j) * 15 * time.Second)))
			dp.SetDoubleValue(float64(j * (i + 1) * 15))
		}
	}
	if err := st.InsertMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		want  map[string]string // k8s_pod_name → value
	}{
		{`round(rate(orders_total[5m]), 0.001) * on(job, instance) group_left(k8s_pod_name) target_info`, map[string]string{"p1": "1", "p2": "2"}},
		{`target_info{k8s_pod_name="p2"}`, map[string]string{"p2": "1"}},
		{`count(target_info{job="checkout"})`, map[string]string{"": "2"}},
		{`target_info{job="api"}`, map[string]string{}},
	} {
		_, env := get(t, srv, "query", url.Values{"query": {tc.query}, "time": {strconv.FormatInt(t0.Unix(), 10)}})
		var data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		}
		if err := json.Unmarshal(env.Data, &data); err != nil {
			t.Fatalf("%s: %v: %s", tc.query, err, env.Data)
		}
		got := map[string]string{}
		for _, r := range data.Result {
			got[r.Metric["k8s_pod_name"]], _ = r.Value[1].(string)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s = %s, want %v", tc.query, env.Data, tc.want)
			continue
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("%s = %s, want %v", tc.query, env.Data, tc.want)
			}
		}
	}
	_, env := get(t, srv, "label/__name__/values", nil)
	var names []string
	if err := json.Unmarshal(env.Data, &names); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range names {
		found = found || n == "target_info"
	}
	if !found {
		t.Errorf("label values of __name__ lack target_info: %v", names)
	}
}
