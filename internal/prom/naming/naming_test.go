package naming

import (
	"reflect"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/overlook-dev/overlook/internal/store"
)

func TestFamily(t *testing.T) {
	tests := []struct {
		name string
		info store.MetricInfo
		want string
		typ  model.MetricType
	}{
		{"gauge kept", store.MetricInfo{Kind: store.MetricGauge, Name: "temporal_cloud_v1_workflow_success_count"}, "temporal_cloud_v1_workflow_success_count", model.MetricTypeGauge},
		{"dots", store.MetricInfo{Kind: store.MetricGauge, Name: "visa_validation_cache.size"}, "visa_validation_cache_size", model.MetricTypeGauge},
		{"unit suffix", store.MetricInfo{Kind: store.MetricGauge, Name: "system.memory.usage", Unit: "By"}, "system_memory_usage_bytes", model.MetricTypeGauge},
		{"ratio", store.MetricInfo{Kind: store.MetricGauge, Name: "system.cpu.utilization", Unit: "1"}, "system_cpu_utilization_ratio", model.MetricTypeGauge},
		{"counter gets total", store.MetricInfo{Kind: store.MetricSum, Name: "http.server.requests", IsMonotonic: true, Temporality: TemporalityCumulative}, "http_server_requests_total", model.MetricTypeCounter},
		{"counter keeps total", store.MetricInfo{Kind: store.MetricSum, Name: "http_requests_total", IsMonotonic: true, Temporality: TemporalityCumulative}, "http_requests_total", model.MetricTypeCounter},
		{"counter with unit", store.MetricInfo{Kind: store.MetricSum, Name: "process.cpu.time", Unit: "s", IsMonotonic: true, Temporality: TemporalityCumulative}, "process_cpu_time_seconds_total", model.MetricTypeCounter},
		{"scraped counter family", store.MetricInfo{Kind: store.MetricSum, Name: "http_requests", IsMonotonic: true, Temporality: TemporalityCumulative}, "http_requests_total", model.MetricTypeCounter},
		{"delta counter", store.MetricInfo{Kind: store.MetricSum, Name: "jobs", IsMonotonic: true, Temporality: TemporalityDelta}, "jobs_total", model.MetricTypeUnknown},
		{"updown", store.MetricInfo{Kind: store.MetricSum, Name: "queue.size", Temporality: TemporalityCumulative}, "queue_size", model.MetricTypeGauge},
		{"histogram seconds", store.MetricInfo{Kind: store.MetricHistogram, Name: "http.server.request.duration", Unit: "s", Temporality: TemporalityCumulative}, "http_server_request_duration_seconds", model.MetricTypeHistogram},
		{"histogram already suffixed", store.MetricInfo{Kind: store.MetricHistogram, Name: "latency_seconds", Unit: "s", Temporality: TemporalityCumulative}, "latency_seconds", model.MetricTypeHistogram},
		{"exp histogram delta", store.MetricInfo{Kind: store.MetricExpHistogram, Name: "size", Temporality: TemporalityDelta}, "size", model.MetricTypeGaugeHistogram},
		{"summary", store.MetricInfo{Kind: store.MetricSummary, Name: "rpc.duration", Unit: "ms"}, "rpc_duration_milliseconds", model.MetricTypeSummary},
		{"annotation unit ignored", store.MetricInfo{Kind: store.MetricGauge, Name: "queue", Unit: "{messages}"}, "queue", model.MetricTypeGauge},
		{"per unit", store.MetricInfo{Kind: store.MetricGauge, Name: "throughput", Unit: "By/s"}, "throughput_bytes_per_second", model.MetricTypeGauge},
		{"leading digit", store.MetricInfo{Kind: store.MetricGauge, Name: "2xx.count"}, "_2xx_count", model.MetricTypeGauge},
		{"colons kept", store.MetricInfo{Kind: store.MetricGauge, Name: "job:http_requests:rate5m"}, "job:http_requests:rate5m", model.MetricTypeGauge},
		{"only underscores", store.MetricInfo{Kind: store.MetricGauge, Name: "..."}, "", model.MetricTypeGauge},
		{"no kind", store.MetricInfo{Name: "x"}, "", model.MetricTypeUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, typ := Family(tc.info)
			if got != tc.want || (tc.want != "" && typ != tc.typ) {
				t.Errorf("Family = %q %q, want %q %q", got, typ, tc.want, tc.typ)
			}
		})
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{
		"http.method": "http_method", "temporal_namespace": "temporal_namespace", "__type__": "__type__",
		"a__b": "a__b", "2xx": "key_2xx", "k8s.pod.name": "k8s_pod_name", "": "", "…": "",
		"_private": "_private", "a-b/c": "a_b_c",
	} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJobInstanceAndSeriesNames(t *testing.T) {
	for _, tc := range []struct{ svc, ns, id, job, inst string }{
		{"api", "", "host:80", "api", "host:80"},
		{"api", "shop", "", "shop/api", ""},
		{"", "shop", "x", "", "x"},
	} {
		job, inst := JobInstance(tc.svc, tc.ns, tc.id)
		if job != tc.job || inst != tc.inst {
			t.Errorf("JobInstance(%q, %q, %q) = %q, %q", tc.svc, tc.ns, tc.id, job, inst)
		}
	}
	for _, tc := range []struct {
		kind  store.MetricKind
		scope string
		want  []string
	}{
		{store.MetricGauge, "", []string{"f"}},
		{store.MetricHistogram, "", []string{"f_bucket", "f_sum", "f_count"}},
		{store.MetricHistogram, NHCBScopeName, []string{"f"}},
		{store.MetricExpHistogram, "", []string{"f"}},
		{store.MetricSummary, "", []string{"f", "f_sum", "f_count"}},
	} {
		if got := SeriesNames("f", tc.kind, tc.scope); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SeriesNames(%v, %q) = %v, want %v", tc.kind, tc.scope, got, tc.want)
		}
	}
	if FormatFloat(0.25) != "0.25" || FormatFloat(1) != "1" || FormatFloat(1e-7) != "0.0000001" {
		t.Errorf("FormatFloat: %s %s %s", FormatFloat(0.25), FormatFloat(1), FormatFloat(1e-7))
	}
}
