package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

// seed000Custom is seed 000's temporal-metrics.yaml without the prometheus
// receiver (an OTLP receiver stands in): it defines only a new receiver,
// processor and pipelines, and names memory_limiter, batch and the
// clickhouse exporter from the default configuration.
const seed000Custom = `receivers:
  otlp/temporal:
    protocols:
      http:
        endpoint: %s
processors:
  resource:
    attributes:
      - key: service.name
        value: "temporal"
        action: upsert
service:
  pipelines:
    metrics/temporal:
      receivers: [otlp/temporal]
      processors:
        - resource
        - memory_limiter
        - batch
      exporters:
        - clickhouse
    logs/temporal:
      receivers: [otlp/temporal]
      processors: [resource, memory_limiter, batch]
      exporters: [clickhouse]
`

func TestSeed000CustomConfig(t *testing.T) {
	s := newServer(t, "")
	temporal := freePort(t)
	custom := filepath.Join(t.TempDir(), "custom.config.yaml")
	if err := os.WriteFile(custom, []byte(strings.Replace(seed000Custom, "%s", temporal, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	s.env = []string{"CUSTOM_OTELCOL_CONFIG_FILE=" + custom}

	// The effective configuration has both the default and the custom parts.
	cmd := exec.Command(binary, "config", "print", "--config", s.configPath)
	cmd.Env = append(os.Environ(), s.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("config print: %v\n%s", err, out)
	}
	for _, want := range []string{"metrics/temporal:", "otlp/temporal:", "clickhouse: {}", "memory_limiter:", "service.name", "- overlook"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("config print lacks %q:\n%s", want, out)
		}
	}

	s.start()
	// Logs through the custom pipeline get service.name=temporal and land
	// in the store through `clickhouse`.
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "something-else")
	r := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	r.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	r.Body().SetStr("workflow completed")
	body, _ := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	post(t, "http://"+temporal+"/v1/logs", body)

	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("temporal_cloud_v1_workflow_success_count")
	dp := m.SetEmptySum()
	dp.SetIsMonotonic(true)
	dp.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	p := dp.DataPoints().AppendEmpty()
	p.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	p.SetDoubleValue(42)
	body, _ = pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	post(t, "http://"+temporal+"/v1/metrics", body)

	eventually(t, "the custom pipeline's log", func() bool {
		return s.search("logs", `ServiceName:"temporal" AND "workflow completed"`).Count == 1
	})
	eventually(t, "the custom pipeline's metric", func() bool {
		resp, err := http.Get("http://" + s.api + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return regexp.MustCompile(`overlook_ingested_rows_total\{signal="metrics"\} [1-9]`).Match(buf.Bytes())
	})
	s.stop()
}

func post(t *testing.T, url string, body []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: status %d", url, resp.StatusCode)
	}
}

// TestConfigValidate checks that a bad file is rejected with a message that
// names the file, the key and the problem.
func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("processors:\n  batch:\n    timeout: 2s\n"), 0o600)
	os.WriteFile(bad, []byte("processors:\n  batch:\n    timeoutt: 2s\n"), 0o600)
	undefined := filepath.Join(dir, "undefined.yaml")
	os.WriteFile(undefined, []byte("service:\n  pipelines:\n    logs/x:\n      receivers: [otlp]\n      exporters: [nope]\n"), 0o600)

	tests := []struct {
		name  string
		args  []string
		ok    bool
		wants []string
	}{
		{"default", nil, true, []string{"configuration is valid"}},
		{"good file", []string{"--config", good}, true, []string{"configuration is valid"}},
		{"unknown key", []string{"--config", good, "--config", bad}, false, []string{bad, "batch", "timeoutt"}},
		{"undefined exporter", []string{"--config", undefined}, false, []string{undefined, "nope"}},
		{"missing file", []string{"--config", filepath.Join(dir, "missing.yaml")}, false, []string{"missing.yaml"}},
		{"bad set", []string{"--set", "nonsense"}, false, []string{"--set", "key=value"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(binary, append([]string{"config", "validate"}, tc.args...)...).CombinedOutput()
			if (err == nil) != tc.ok {
				t.Fatalf("exit error %v, want ok=%v; output:\n%s", err, tc.ok, out)
			}
			for _, w := range tc.wants {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
