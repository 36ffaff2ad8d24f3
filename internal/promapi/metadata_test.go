package promapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

func TestMetadataFamilies(t *testing.T) {
	since := t0.Add(-metadataWindow)
	gauge := func(name, desc string) store.MetricInfo {
		return store.MetricInfo{Kind: store.MetricGauge, Name: name, Description: desc}
	}
	counter := store.MetricInfo{Kind: store.MetricSum, Name: "req_total", IsMonotonic: true, Temporality: 2}
	rec := func(fam, typ, help string, seen time.Time) store.MetricFamilyMetadata {
		return store.MetricFamilyMetadata{Family: fam, Type: typ, Help: help, Seen: seen}
	}
	md := func(typ, help, unit string) []metricMetadata {
		return []metricMetadata{{Type: typ, Help: help, Unit: unit}}
	}
	for _, tc := range []struct {
		name  string
		infos []store.MetricInfo
		recs  []store.MetricFamilyMetadata
		want  map[string][]metricMetadata
	}{
		{"otlp only, described preferred", []store.MetricInfo{gauge("temp", ""), gauge("temp", "Temperature."), counter}, nil,
			map[string][]metricMetadata{"temp": md("gauge", "Temperature.", ""), "req_total": md("counter", "", "")}},
		{"record over otlp", []store.MetricInfo{gauge("temp", ""), counter},
			[]store.MetricFamilyMetadata{rec("temp", "gauge", "T.", t0), rec("req_total", "counter", "R.", since.Add(-time.Hour))},
			map[string][]metricMetadata{"temp": md("gauge", "T.", ""), "req_total": md("counter", "R.", "")}},
		{"classic histogram folded", []store.MetricInfo{gauge("lat_seconds_bucket", ""), gauge("lat_seconds_sum", ""), gauge("lat_seconds_count", "")},
			[]store.MetricFamilyMetadata{rec("lat_seconds", "histogram", "L.", t0)},
			map[string][]metricMetadata{"lat_seconds": md("histogram", "L.", "")}},
		{"summary folded", []store.MetricInfo{gauge("rpc_seconds", ""), gauge("rpc_seconds_sum", ""), gauge("rpc_seconds_count", "")},
			[]store.MetricFamilyMetadata{rec("rpc_seconds", "summary", "S.", t0)},
			map[string][]metricMetadata{"rpc_seconds": md("summary", "S.", "")}},
		{"gauge _total stored as counter", []store.MetricInfo{{Kind: store.MetricSum, Name: "bal_total", IsMonotonic: true, Temporality: 2}},
			[]store.MetricFamilyMetadata{rec("bal_total", "gauge", "B.", t0)},
			map[string][]metricMetadata{"bal_total": md("gauge", "B.", "")}},
		{"suffix of another type not folded", []store.MetricInfo{gauge("queue_count", "")},
			[]store.MetricFamilyMetadata{rec("queue", "gauge", "Q.", t0)},
			map[string][]metricMetadata{"queue_count": md("gauge", "", ""), "queue": md("gauge", "Q.", "")}},
		{"stale record without points left out", nil,
			[]store.MetricFamilyMetadata{rec("old", "gauge", "O.", since.Add(-time.Second))},
			map[string][]metricMetadata{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := metadataFamilies(tc.infos, tc.recs, since); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRemoteWriteMetadataAfter sends samples first and their metadata
// later, as Prometheus 2 does: the metadata API answers from the stored
// records, and a new Handler over the same store (a restart) gives the
// records' types to new samples.
func TestRemoteWriteMetadataAfter(t *testing.T) {
	srv, st := newTestAPI(t)
	ms := t0.UnixMilli()
	post := func(url string, req *prompb.WriteRequest) {
		t.Helper()
		b, err := req.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(url+"/prometheus/api/v1/write", "application/x-protobuf", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	series := func(name string, v float64, ts int64) prompb.TimeSeries {
		return prompb.TimeSeries{Labels: []prompb.Label{{Name: "__name__", Value: name}, {Name: "job", Value: "rw"}},
			Samples: []prompb.Sample{{Value: v, Timestamp: ts}}}
	}
	post(srv.URL, &prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		series("after_balance_total", -1, ms-3000), series("after_lat_seconds_bucket", 1, ms-3000),
		series("after_lat_seconds_sum", 0.5, ms-3000), series("after_lat_seconds_count", 1, ms-3000)}})
	post(srv.URL, &prompb.WriteRequest{Metadata: []prompb.MetricMetadata{
		{Type: prompb.MetricMetadata_GAUGE, MetricFamilyName: "after_balance_total", Help: "Balance."},
		{Type: prompb.MetricMetadata_HISTOGRAM, MetricFamilyName: "after_lat_seconds", Help: "Latency.", Unit: "seconds"},
	}})
	want := map[string][]metricMetadata{
		"after_balance_total": {{Type: "gauge", Help: "Balance."}},
		"after_lat_seconds":   {{Type: "histogram", Help: "Latency.", Unit: "seconds"}},
	}
	check := func(srv *httptest.Server) {
		t.Helper()
		for fam, w := range want {
			_, env := get(t, srv, "metadata", url.Values{"metric": {fam}})
			var got map[string][]metricMetadata
			if err := json.Unmarshal(env.Data, &got); err != nil || !reflect.DeepEqual(got[fam], w) || len(got) != 1 {
				t.Errorf("metadata %s = %s, want %v", fam, env.Data, w)
			}
		}
	}
	check(srv)

	h := New(Options{Prefix: "/prometheus", Reader: st, Inserter: st, Metadata: st, Logger: slog.New(slog.DiscardHandler)})
	h.now = func() time.Time { return t0 }
	t.Cleanup(func() { _ = h.Close() })
	srv2 := httptest.NewServer(h)
	t.Cleanup(srv2.Close)
	post(srv2.URL, &prompb.WriteRequest{Timeseries: []prompb.TimeSeries{series("after_balance_total", -2, ms-1000)}})
	check(srv2)
	infos, err := st.MetricInfos(t.Context(), t0.Add(-time.Minute), t0)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[store.MetricKind]bool{}
	for _, info := range infos {
		if info.Name == "after_balance_total" {
			kinds[info.Kind] = true
		}
	}
	if !kinds[store.MetricSum] || !kinds[store.MetricGauge] {
		t.Errorf("after_balance_total stored as %v; want a sum before its metadata and a gauge after", kinds)
	}
	_, env := get(t, srv2, "query", url.Values{"query": {"after_balance_total"}, "time": {"1795305600"}})
	if !bytes.Contains(env.Data, []byte(`"value":[1795305600,"-2"]`)) {
		t.Errorf("after_balance_total: %s", env.Data)
	}
}

// TestMetadataDescribedLater stores an OTLP gauge whose first points lack
// the description its later ones have: the metadata API gives it.
func TestMetadataDescribedLater(t *testing.T) {
	srv, st := newTestAPI(t)
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	for i, desc := range []string{"", "Queue length."} {
		g := ms.AppendEmpty()
		g.SetName("queue_length")
		g.SetDescription(desc)
		dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i-2) * time.Minute)))
		dp.SetDoubleValue(1)
	}
	if err := st.InsertMetrics(t.Context(), md); err != nil {
		t.Fatal(err)
	}
	_, env := get(t, srv, "metadata", url.Values{"metric": {"queue_length"}})
	if want := `{"queue_length":[{"type":"gauge","help":"Queue length.","unit":""}]}`; string(env.Data) != want {
		t.Errorf("metadata = %s, want %s", env.Data, want)
	}
}
