package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// overridesConfig: tiny per-tenant limits for the default tenant (with
// multitenancy off, the one implicit tenant). The rates are slow enough
// (1 span/s, 0.1 samples/s) that no step below earns back the tokens a
// later step needs to be refused, however slow the machine. Span metrics
// and the service graph are off so that only this test's data counts.
const overridesConfig = `extensions:
  overlook:
    multitenancy:
      overrides:
        defaults:
          ingestion:
            spans_per_second: 1
            spans_burst: 20
            samples_per_second: 0.1
            samples_burst: 20
          max_active_series: 3
          max_attributes: 5
service:
  pipelines:
    traces:
      exporters: [overlook]
`

// limitSpans is one OTLP traces request of n spans of service svc, each
// with 8 attributes.
func limitSpans(svc string, n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", svc)
	ss := rs.ScopeSpans().AppendEmpty().Spans()
	now := time.Now()
	for i := range n {
		sp := ss.AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{byte(i + 1), 1})
		sp.SetSpanID(pcommon.SpanID{byte(i + 1)})
		sp.SetName("op")
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
		for a := range 8 {
			sp.Attributes().PutInt(fmt.Sprintf("a%d", a), int64(a))
		}
	}
	return td
}

// writeSeries remote-writes one sample (at now minus offset) for each
// value of the label s of metric lim.
func writeSeries(t *testing.T, s *server, offset time.Duration, series ...string) (int, string, string) {
	t.Helper()
	var req prompb.WriteRequest
	for _, v := range series {
		req.Timeseries = append(req.Timeseries, prompb.TimeSeries{
			Labels:  []prompb.Label{{Name: "__name__", Value: "lim"}, {Name: "s", Value: v}},
			Samples: []prompb.Sample{{Value: 1, Timestamp: time.Now().Add(-offset).UnixMilli()}}})
	}
	b, _ := req.Marshal()
	r, _ := http.NewRequest(http.MethodPost, "http://"+s.api+"/prometheus/api/v1/write", bytes.NewReader(snappy.Encode(nil, b)))
	r.Header.Set("Content-Type", "application/x-protobuf")
	r.Header.Set("Content-Encoding", "snappy")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("remote write: %v", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(msg)
}

// TestTenantOverrides drives the per-tenant overrides through the real
// binary: OTLP/HTTP past the span rate gets 429 with Retry-After, OTLP/gRPC
// ResourceExhausted with RetryInfo, a batch over the burst 400 /
// InvalidArgument; exactly the accepted spans are stored, each cut to
// max_attributes with its dropped count; remote write past the samples
// rate gets 429 with Retry-After; max_active_series refuses the 4th series
// while the first 3 keep flowing (PromQL counts); the refusals are on
// /metrics.
func TestTenantOverrides(t *testing.T) {
	s := newServer(t, overridesConfig)
	s.start()
	tracesURL := "http://" + s.http + "/v1/traces"
	post := func(td ptrace.Traces) *http.Response {
		pb, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		resp, err := http.Post(tracesURL, "application/x-protobuf", bytes.NewReader(pb))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	// The burst: 20 spans pass; 20 more are refused, retryably.
	resp := post(limitSpans("limited", 20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first 20 spans: %d", resp.StatusCode)
	}
	resp = post(limitSpans("limited", 20))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || ra < 1 || ra > 60 ||
		!bytes.Contains(body, []byte(`tenant "default" is over its ingestion rate of 1 spans per second`)) {
		t.Errorf("next 20 spans over HTTP: %d, Retry-After %q, body %q; want 429 with Retry-After 1..60 and the reason",
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}

	conn, err := grpc.NewClient(s.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(limitSpans("limited", 20)))
	st, _ := status.FromError(err)
	var delay time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	if st.Code() != codes.ResourceExhausted || delay < time.Second || delay > time.Minute {
		t.Errorf("20 spans over gRPC: %v (retry delay %s), want ResourceExhausted with RetryInfo 1s..1m", err, delay)
	}
	// Over the burst: can never pass, the client's error.
	_, err = ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(limitSpans("limited", 21)))
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "spans_burst") {
		t.Errorf("21 spans over gRPC: %v, want InvalidArgument naming spans_burst", err)
	}
	resp = post(limitSpans("limited", 21))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	wantRefused(t, "21 spans over HTTP", resp.StatusCode, string(body), "multitenancy::overrides::defaults::ingestion::spans_burst")

	// Exactly the accepted batch is stored, each span cut to 5 attributes.
	var spans searchResult
	eventually(t, "20 spans stored", func() bool { spans = s.search("traces", `ServiceName:"limited"`); return spans.Count == 20 })
	time.Sleep(time.Second) // nothing else arrives later
	if n := s.search("traces", `ServiceName:"limited"`).Count; n != 20 {
		t.Errorf("%d spans stored, want exactly the 20 accepted", n)
	}
	row := spans.Rows[0]
	if attrs, _ := row["SpanAttributes"].(map[string]any); len(attrs) != 5 || attrs["a0"] == nil || attrs["a4"] == nil || attrs["a5"] != nil {
		t.Errorf("stored span attributes %v, want the first 5 (a0..a4)", attrs)
	}
	if got := fmt.Sprint(row["DroppedAttributesCount"]); got != "3" {
		t.Errorf("DroppedAttributesCount %s, want 3", got)
	}

	// Series: a and b (2 samples), then a, c, d: d is the 4th series and
	// refused, a and c stored (5 samples used of the burst of 20).
	if code, _, msg := writeSeries(t, s, 3*time.Minute, "a", "b"); code != http.StatusNoContent {
		t.Fatalf("series a, b: %d %s", code, msg)
	}
	if code, _, msg := writeSeries(t, s, 2*time.Minute, "a", "c", "d"); code != http.StatusBadRequest ||
		!strings.Contains(msg, `tenant "default" has reached its 3 active series`) || !strings.Contains(msg, "max_active_series") {
		t.Errorf("series a, c, d: %d %s; want 400 naming max_active_series", code, msg)
	}
	// A new series over OTLP is refused as well; the first 3 keep flowing.
	md := pmetric.NewMetrics()
	p := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	p.SetName("lim_otlp")
	dp := p.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	dp.SetDoubleValue(1)
	pb, _ := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	if code, body := postRaw(t, "http://"+s.http+"/v1/metrics", "application/x-protobuf", pb); code != http.StatusBadRequest ||
		!strings.Contains(body, "max_active_series") {
		t.Errorf("a 4th series over OTLP: %d %s; want 400 naming max_active_series", code, body)
	}
	if code, _, msg := writeSeries(t, s, time.Minute, "a", "b", "c"); code != http.StatusNoContent {
		t.Errorf("points of the first 3 series: %d %s", code, msg)
	}
	// 9 samples used: 20 need the whole burst back (110 s at 0.1/s).
	code, retry, msg := writeSeries(t, s, 0, "a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b")
	if ra, _ := strconv.Atoi(retry); code != http.StatusTooManyRequests || ra < 1 || ra > 60 || !strings.Contains(msg, "samples per second") {
		t.Errorf("20 samples past the rate: %d, Retry-After %q, %s; want 429 with Retry-After", code, retry, msg)
	}
	for q, want := range map[string]string{
		`count(lim)`:                            "3",
		`count(count_over_time(lim[10m]) == 3)`: "1", // a: 3 points
		`sum(count_over_time(lim[10m]))`:        "7", // a 3, b 2, c 2: nothing of the refused requests
		`count(lim_otlp)`:                       "",
	} {
		var res struct {
			Data struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if code := s.getJSON("/prometheus/api/v1/query?query="+url.QueryEscape(q), &res); code != http.StatusOK {
			t.Fatalf("%s: %d", q, code)
		}
		got := ""
		if len(res.Data.Result) > 0 {
			got = fmt.Sprint(res.Data.Result[0].Value[1])
		}
		if got != want {
			t.Errorf("%s = %q, want %q", q, got, want)
		}
	}

	m := s.metrics()
	for _, want := range []string{
		`overlook_tenant_refused_total{reason="rate_limited",signal="traces",tenant="default"} 40`,
		`overlook_tenant_refused_total{reason="batch_too_large",signal="traces",tenant="default"} 42`,
		`overlook_tenant_refused_total{reason="max_series",signal="metrics",tenant="default"} 2`,
		`overlook_tenant_refused_total{reason="rate_limited",signal="metrics",tenant="default"} 20`,
		`overlook_tenant_dropped_attributes_total{signal="traces",tenant="default"} 60`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(m, "overlook_tenant"))
		}
	}
}
