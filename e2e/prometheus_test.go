package e2e

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
)

// seed000TemporalMetrics is temporal-metrics.yaml from seed 000, verbatim.
// The tests write a copy in which only two values are substituted: the
// target metrics.temporal.io (→ a local HTTPS server standing in for
// Temporal Cloud) and the key path /etc/otelcol-contrib/temporal.key (→ a
// temporary file). The local server's self-signed certificate is trusted
// through SSL_CERT_FILE, so the TLS settings stay as the seed has them.
const seed000TemporalMetrics = `receivers:
  prometheus/temporal:
    config:
      scrape_configs:
      - job_name: 'temporal-cloud'
        scrape_interval: 60s
        scrape_timeout: 30s
        honor_timestamps: true
        scheme: https
        authorization:
          type: Bearer
          credentials_file: /etc/otelcol-contrib/temporal.key
        static_configs:
          - targets: ['metrics.temporal.io']
        metrics_path: '/v1/metrics'

processors:
  resource:
    attributes:
      - key: service.name
        value: "temporal"
        action: upsert

service:
  pipelines:
    metrics/temporal:
      receivers: [prometheus/temporal]
      processors:
        - resource
        - memory_limiter
        - batch
      exporters:
        - clickhouse
`

// seed000Sample is the line seed 000's troubleshooting section shows
// `curl -H "Authorization: Bearer <API_KEY>" https://metrics.temporal.io/v1/metrics`
// printing. Its timestamp is in seconds (OpenMetrics).
const (
	seed000Sample     = `temporal_cloud_v1_workflow_success_count{operation="CompletionStats",region="aws-us-east-2",temporal_account="l2c4n",temporal_namespace="clickpipes-aws-prd-apps-us-east-2.l2c4n",temporal_task_queue="clickpipes-svc-dc118d12-b397-4975-a33e-c2888ac12ac4-peer-flow-task-queue",temporal_workflow_type="QRepPartitionWorkflow"} 0.067 1765894320`
	seed000SampleTime = 1765894320
	temporalToken     = "tcld-test-api-key"
)

// temporalServer stands in for metrics.temporal.io: HTTPS, bearer token.
func temporalServer(t *testing.T) *httptest.Server {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/metrics" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+temporalToken {
			http.Error(w, "invalid API key", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
		fmt.Fprintf(w, "%s\n# EOF\n", seed000Sample)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// seed000Server starts overlook with the seed's custom config pointed at
// srv, the key file holding key.
func seed000Server(t *testing.T, srv *httptest.Server, key string) *server {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "temporal.key")
	caFile := filepath.Join(dir, "ca.pem")
	custom := filepath.Join(dir, "custom.config.yaml")
	yaml := strings.NewReplacer(
		"metrics.temporal.io", strings.TrimPrefix(srv.URL, "https://"),
		"/etc/otelcol-contrib/temporal.key", keyFile,
	).Replace(seed000TemporalMetrics)
	for p, body := range map[string]string{
		keyFile: key, custom: yaml,
		caFile: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})),
	} {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The sample's timestamp (honor_timestamps) is older than the default
	// 7-day retention: keep metrics forever in this test.
	s := newServer(t, "extensions:\n  overlook:\n    storage:\n      retention:\n        metrics: 0s\n")
	s.env = []string{"CUSTOM_OTELCOL_CONFIG_FILE=" + custom, "SSL_CERT_FILE=" + caFile}
	s.start()
	return s
}

// promResponse is Prometheus's API envelope.
type promResponse struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
}

type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func (s *server) promGet(path string, params url.Values) promResponse {
	s.t.Helper()
	var res promResponse
	code := s.getJSON("/prometheus/api/v1/"+path+"?"+params.Encode(), &res)
	if code != http.StatusOK || res.Status != "success" {
		s.t.Fatalf("GET %s %v: %d %s %s", path, params, code, res.ErrorType, res.Error)
	}
	return res
}

// instant runs an instant query and returns the vector.
func (s *server) instant(query string, at time.Time) []promSample {
	s.t.Helper()
	res := s.promGet("query", url.Values{"query": {query}, "time": {fmt.Sprint(at.Unix())}})
	var data struct {
		ResultType string       `json:"resultType"`
		Result     []promSample `json:"result"`
	}
	if err := json.Unmarshal(res.Data, &data); err != nil || data.ResultType != "vector" {
		s.t.Fatalf("query %q: %s (%v)", query, res.Data, err)
	}
	return data.Result
}

type promTarget struct {
	Labels     map[string]string `json:"labels"`
	ScrapePool string            `json:"scrapePool"`
	ScrapeURL  string            `json:"scrapeUrl"`
	LastError  string            `json:"lastError"`
	Health     string            `json:"health"`
}

func (s *server) targets() []promTarget {
	s.t.Helper()
	res := s.promGet("targets", nil)
	var data struct {
		ActiveTargets []promTarget `json:"activeTargets"`
	}
	if err := json.Unmarshal(res.Data, &data); err != nil {
		s.t.Fatalf("targets: %s (%v)", res.Data, err)
	}
	return data.ActiveTargets
}

// waitScrape waits for the first scrape: with a 60 s interval Prometheus
// spreads the first one anywhere in the first minute.
func waitScrape(t *testing.T, s *server) []promTarget {
	t.Helper()
	deadline := time.Now().Add(100 * time.Second)
	for time.Now().Before(deadline) {
		if ts := s.targets(); len(ts) == 1 && ts[0].Health != "unknown" {
			return ts
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("no scrape within 100s; targets: %+v", s.targets())
	return nil
}

// TestSeed000PrometheusScrape runs seed 000's temporal-metrics.yaml as the
// custom config against a local stand-in for Temporal Cloud: with the
// right key the seed's metric is queryable through the Prometheus API;
// with a wrong one `up` is 0, the log names the target and the HTTP
// status, and so does /prometheus/api/v1/targets — the checks of the
// seed's troubleshooting section.
func TestSeed000PrometheusScrape(t *testing.T) {
	srv := temporalServer(t)
	target := strings.TrimPrefix(srv.URL, "https://")
	t.Run("valid key", func(t *testing.T) {
		t.Parallel()
		s := seed000Server(t, srv, temporalToken)
		ts := waitScrape(t, s)
		if ts[0].Health != "up" || ts[0].LastError != "" || ts[0].ScrapePool != "temporal-cloud" ||
			ts[0].ScrapeURL != srv.URL+"/v1/metrics" {
			t.Fatalf("target = %+v", ts[0])
		}
		var got []promSample
		eventually(t, "the seed metric", func() bool {
			got = s.instant("temporal_cloud_v1_workflow_success_count", time.Unix(seed000SampleTime, 0))
			return len(got) == 1
		})
		m := got[0].Metric
		// job comes from service.name, which the seed's resource processor
		// upserts to "temporal"; instance from service.instance.id.
		for k, want := range map[string]string{"job": "temporal", "instance": target,
			"temporal_workflow_type": "QRepPartitionWorkflow", "region": "aws-us-east-2", "operation": "CompletionStats"} {
			if m[k] != want {
				t.Errorf("label %s = %q, want %q (metric %v)", k, m[k], want, m)
			}
		}
		if got[0].Value[1] != "0.067" || got[0].Value[0] != float64(seed000SampleTime) {
			t.Errorf("value = %v", got[0].Value)
		}
		// up may travel in a later batch than the scraped family (the
		// seed's pipeline has the batch processor).
		var up []promSample
		eventually(t, "up = 1", func() bool {
			up = s.instant(`up{job="temporal"}`, time.Now())
			return len(up) == 1 && up[0].Value[1] == "1"
		})
		// Metrics Explorer style discovery: the name is listed.
		names := s.promGet("label/__name__/values", url.Values{
			"start": {fmt.Sprint(seed000SampleTime - 60)}, "end": {fmt.Sprint(seed000SampleTime + 60)}})
		if !strings.Contains(string(names.Data), `"temporal_cloud_v1_workflow_success_count"`) {
			t.Errorf("label values: %s", names.Data)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		t.Parallel()
		s := seed000Server(t, srv, "not-the-key")
		ts := waitScrape(t, s)
		if ts[0].Health != "down" || !strings.Contains(ts[0].LastError, "401 Unauthorized") {
			t.Fatalf("target = %+v, want down with lastError naming HTTP 401", ts[0])
		}
		var up []promSample
		eventually(t, "up 0", func() bool {
			up = s.instant(`up{job="temporal"}`, time.Now())
			return len(up) == 1
		})
		if up[0].Value[1] != "0" {
			t.Errorf("up = %v, want 0", up[0].Value)
		}
		eventually(t, "the log line", func() bool {
			for _, l := range strings.Split(s.out.String(), "\n") {
				if strings.Contains(l, "scrape failed") && strings.Contains(l, target) && strings.Contains(l, "401 Unauthorized") {
					return true
				}
			}
			return false
		})
	})
	t.Run("key file missing", func(t *testing.T) {
		// `overlook config validate` with the seed's own key path, absent
		// here: the error names the key and the file.
		custom := filepath.Join(t.TempDir(), "custom.config.yaml")
		if err := os.WriteFile(custom, []byte(seed000TemporalMetrics), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(binary, "config", "validate")
		cmd.Env = append(os.Environ(), "CUSTOM_OTELCOL_CONFIG_FILE="+custom)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "credentials_file") || !strings.Contains(string(out), "/etc/otelcol-contrib/temporal.key") {
			t.Errorf("validate: err %v, output:\n%s", err, out)
		}
	})
}

// TestPrometheusRemoteWrite writes with remote write 1.0 and 2.0 and
// reads the samples back through the query, series and labels APIs.
func TestPrometheusRemoteWrite(t *testing.T) {
	s := newServer(t, "")
	s.start()
	now := time.Now().Truncate(time.Second)
	v1 := &prompb.WriteRequest{
		Timeseries: []prompb.TimeSeries{{
			Labels:  []prompb.Label{{Name: "__name__", Value: "rw_requests_total"}, {Name: "instance", Value: "a:9100"}, {Name: "job", Value: "rw"}, {Name: "path", Value: "/x"}},
			Samples: []prompb.Sample{{Value: 1, Timestamp: now.Add(-time.Minute).UnixMilli()}, {Value: 7, Timestamp: now.UnixMilli()}},
		}},
		Metadata: []prompb.MetricMetadata{{Type: prompb.MetricMetadata_COUNTER, MetricFamilyName: "rw_requests_total", Help: "Requests."}},
	}
	b1, err := v1.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if code := remoteWrite(t, s, "application/x-protobuf", b1); code != http.StatusNoContent {
		t.Fatalf("remote write 1.0: status %d", code)
	}
	v2 := &writev2.Request{
		Symbols: []string{"", "__name__", "rw_temperature", "job", "rw", "room", "a", "Temperature.", "celsius"},
		Timeseries: []writev2.TimeSeries{{
			LabelsRefs: []uint32{1, 2, 3, 4, 5, 6},
			Samples:    []writev2.Sample{{Value: 21.5, Timestamp: now.UnixMilli()}},
			Metadata:   writev2.Metadata{Type: writev2.Metadata_METRIC_TYPE_GAUGE, HelpRef: 7, UnitRef: 8},
		}},
	}
	b2, err := v2.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if code := remoteWrite(t, s, "application/x-protobuf;proto=io.prometheus.write.v2.Request", b2); code != http.StatusNoContent {
		t.Fatalf("remote write 2.0: status %d", code)
	}

	got := s.instant(`rw_requests_total{job="rw"}`, now)
	if len(got) != 1 || got[0].Value[1] != "7" || got[0].Metric["instance"] != "a:9100" || got[0].Metric["path"] != "/x" {
		t.Fatalf("rw_requests_total = %+v", got)
	}
	got = s.instant(`rate(rw_requests_total[2m]) * 60`, now)
	if len(got) != 1 {
		t.Fatalf("rate = %+v", got)
	}
	got = s.instant(`rw_temperature`, now)
	if len(got) != 1 || got[0].Value[1] != "21.5" || got[0].Metric["room"] != "a" || got[0].Metric["job"] != "rw" {
		t.Fatalf("rw_temperature = %+v", got)
	}
	window := url.Values{"start": {fmt.Sprint(now.Add(-time.Hour).Unix())}, "end": {fmt.Sprint(now.Add(time.Minute).Unix())}}
	series := s.promGet("series", url.Values{"match[]": {`{job="rw"}`}, "start": window["start"], "end": window["end"]})
	for _, want := range []string{`"__name__":"rw_requests_total"`, `"__name__":"rw_temperature"`} {
		if !strings.Contains(string(series.Data), want) {
			t.Errorf("series lacks %s: %s", want, series.Data)
		}
	}
	labels := s.promGet("labels", window)
	for _, want := range []string{`"job"`, `"room"`, `"path"`, `"instance"`, `"__name__"`} {
		if !strings.Contains(string(labels.Data), want) {
			t.Errorf("labels lack %s: %s", want, labels.Data)
		}
	}
	md := s.promGet("metadata", nil)
	if !strings.Contains(string(md.Data), `"rw_requests_total":[{"type":"counter","help":"Requests."`) {
		t.Errorf("metadata: %s", md.Data)
	}

	// Prometheus's error envelope.
	var res promResponse
	code := s.getJSON("/prometheus/api/v1/query?query=rate(", &res)
	if code != http.StatusBadRequest || res.Status != "error" || res.ErrorType != "bad_data" {
		t.Errorf("bad query: %d %+v", code, res)
	}
	if code := remoteWrite(t, s, "application/x-protobuf", []byte("not snappy")); code != http.StatusBadRequest {
		t.Errorf("garbage remote write: status %d, want 400", code)
	}
}

func remoteWrite(t *testing.T, s *server, contentType string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+s.api+"/prometheus/api/v1/write", bytes.NewReader(snappy.Encode(nil, body)))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Content-Encoding", "snappy")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("remote write: %v", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		t.Logf("remote write answered %d: %s", resp.StatusCode, msg)
	}
	return resp.StatusCode
}
