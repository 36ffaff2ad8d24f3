package promapi

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
)

const ctV2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request"

func v1Request(t testing.TB) []byte {
	t.Helper()
	ms := t0.UnixMilli()
	req := &prompb.WriteRequest{
		Timeseries: []prompb.TimeSeries{
			{Labels: []prompb.Label{{Name: "__name__", Value: "rw_total"}, {Name: "job", Value: "rw"}, {Name: "k", Value: "v"}},
				Samples: []prompb.Sample{{Value: 1, Timestamp: ms - 60_000}, {Value: 3, Timestamp: ms}}},
			{Labels: []prompb.Label{{Name: "__name__", Value: "rw_native"}, {Name: "job", Value: "rw"}},
				Histograms: []prompb.Histogram{{Count: &prompb.Histogram_CountInt{CountInt: 3}, Sum: 4, Schema: 0,
					ZeroCount: &prompb.Histogram_ZeroCountInt{ZeroCountInt: 1}, PositiveSpans: []prompb.BucketSpan{{Offset: 1, Length: 2}},
					PositiveDeltas: []int64{1, 0}, Timestamp: ms}}},
		},
		Metadata: []prompb.MetricMetadata{{Type: prompb.MetricMetadata_COUNTER, MetricFamilyName: "rw_total", Help: "h"}},
	}
	b, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func v2Request(t testing.TB) []byte {
	t.Helper()
	req := &writev2.Request{
		Symbols: []string{"", "__name__", "rw2_gauge", "job", "rw", "unit_ok_seconds", "seconds"},
		Timeseries: []writev2.TimeSeries{
			{LabelsRefs: []uint32{1, 2, 3, 4}, Samples: []writev2.Sample{{Value: 2.5, Timestamp: t0.UnixMilli()}},
				Metadata: writev2.Metadata{Type: writev2.Metadata_METRIC_TYPE_GAUGE}},
			{LabelsRefs: []uint32{1, 5, 3, 4}, Samples: []writev2.Sample{{Value: 0.25, Timestamp: t0.UnixMilli(), StartTimestamp: t0.UnixMilli() - 1000}},
				Metadata: writev2.Metadata{Type: writev2.Metadata_METRIC_TYPE_GAUGE, UnitRef: 6}},
		},
	}
	b, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRemoteWrite(t *testing.T) {
	srv, _ := newTestAPI(t)
	tests := []struct {
		name        string
		contentType string
		encoding    string
		body        []byte
		code        int
		headers     map[string]string
		msg         string
	}{
		{"v1", "application/x-protobuf", "snappy", snappy.Encode(nil, v1Request(t)), 204, nil, ""},
		{"v1 without content type", "", "snappy", snappy.Encode(nil, v1Request(t)), 204, nil, ""},
		{"v1 decompressed upstream", "application/x-protobuf", "", v1Request(t), 204, nil, ""},
		{"v2", ctV2, "snappy", snappy.Encode(nil, v2Request(t)), 204,
			map[string]string{"X-Prometheus-Remote-Write-Samples-Written": "2", "X-Prometheus-Remote-Write-Histograms-Written": "0"}, ""},
		{"corrupt snappy", "application/x-protobuf", "snappy", []byte("\xff\xff\xff\xffnot snappy"), 400, nil, "snappy"},
		{"not protobuf", "application/x-protobuf", "snappy", snappy.Encode(nil, []byte("\x0a\xff\xff")), 400, nil, "decode"},
		{"unknown proto", "application/x-protobuf;proto=foo.Bar", "snappy", nil, 415, nil, "unknown proto"},
		{"json", "application/json", "snappy", nil, 415, nil, "application/x-protobuf"},
		{"gzip", "application/x-protobuf", "gzip", nil, 415, nil, "snappy"},
		{"v2 bad symbol", ctV2, "snappy", snappy.Encode(nil, func() []byte {
			b, _ := (&writev2.Request{Symbols: []string{""}, Timeseries: []writev2.TimeSeries{{LabelsRefs: []uint32{1, 2}}}}).Marshal()
			return b
		}()), 400, nil, "symbols"},
		// A float histogram (non-integer counts) is stored (extension
		// columns); a series without a name is refused after the rest is.
		{"float histogram and no name", "application/x-protobuf", "snappy", snappy.Encode(nil, func() []byte {
			b, _ := (&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
				{Labels: []prompb.Label{{Name: "__name__", Value: "fh"}},
					Histograms: []prompb.Histogram{{Count: &prompb.Histogram_CountFloat{CountFloat: 1.5},
						ZeroCount: &prompb.Histogram_ZeroCountFloat{ZeroCountFloat: 1.5}, ZeroThreshold: 0.001, Timestamp: t0.UnixMilli()}}},
				{Labels: []prompb.Label{{Name: "__name__", Value: "kept"}}, Samples: []prompb.Sample{{Value: 1, Timestamp: t0.UnixMilli()}}},
				{Labels: []prompb.Label{{Name: "a", Value: "b"}}, Samples: []prompb.Sample{{Value: 1, Timestamp: t0.UnixMilli()}}},
			}}).Marshal()
			return b
		}()), 400, nil, "stored 1 samples and 1 histograms"},
		{"no name", "application/x-protobuf", "snappy", snappy.Encode(nil, func() []byte {
			b, _ := (&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
				{Labels: []prompb.Label{{Name: "a", Value: "b"}}, Samples: []prompb.Sample{{Value: 1, Timestamp: t0.UnixMilli()}}},
			}}).Marshal()
			return b
		}()), 400, nil, "without a metric name"},
		// Found by the hostile-input suite: these reached the database and
		// came back as 500s.
		{"metadata without a family", "application/x-protobuf", "snappy", snappy.Encode(nil, func() []byte {
			b, _ := (&prompb.WriteRequest{
				Metadata:   []prompb.MetricMetadata{{Type: prompb.MetricMetadata_GAUGE, Help: "h"}},
				Timeseries: []prompb.TimeSeries{{Labels: []prompb.Label{{Name: "__name__", Value: "g"}}, Samples: []prompb.Sample{{Value: 1, Timestamp: t0.UnixMilli()}}}},
			}).Marshal()
			return b
		}()), 204, nil, ""},
		{"metadata not UTF-8", "application/x-protobuf", "snappy", snappy.Encode(nil, func() []byte {
			b, _ := (&prompb.WriteRequest{
				Metadata:   []prompb.MetricMetadata{{MetricFamilyName: "g\xff", Type: prompb.MetricMetadata_GAUGE, Help: "h\xfe"}},
				Timeseries: []prompb.TimeSeries{{Labels: []prompb.Label{{Name: "__name__", Value: "g"}}, Samples: []prompb.Sample{{Value: 1, Timestamp: t0.UnixMilli()}}}},
			}).Marshal()
			return b
		}()), 400, nil, "stored 1 samples and 0 histograms; rejected some: metadata of family"},
		{"label value not UTF-8", "application/x-protobuf", "snappy", snappy.Encode(nil, func() []byte {
			b, _ := (&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
				{Labels: []prompb.Label{{Name: "__name__", Value: "u"}, {Name: "a", Value: "\xff"}}, Samples: []prompb.Sample{{Value: 1, Timestamp: t0.UnixMilli()}}},
				{Labels: []prompb.Label{{Name: "__name__", Value: "u"}, {Name: "a", Value: "ok"}}, Samples: []prompb.Sample{{Value: 1, Timestamp: t0.UnixMilli()}}},
			}}).Marshal()
			return b
		}()), 400, nil, "stored 1 samples and 0 histograms; rejected some: series"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/prometheus/api/v1/write", bytes.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.encoding != "" {
				req.Header.Set("Content-Encoding", tc.encoding)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.code, body)
			}
			for k, v := range tc.headers {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tc.msg != "" && !strings.Contains(string(body), tc.msg) {
				t.Errorf("body %q lacks %q", body, tc.msg)
			}
		})
	}

	// What was written reads back.
	at := url.Values{"time": {"1795305600"}}
	for query, want := range map[string]string{
		`rw_total{job="rw",k="v"}`:       `"value":[1795305600,"3"]`,
		`rate(rw_total[2m])`:             `"value":[1795305600,"0.025"]`,
		`rw2_gauge`:                      `"value":[1795305600,"2.5"]`,
		`unit_ok_seconds`:                `"value":[1795305600,"0.25"]`,
		`rw_native`:                      `"histogram":[1795305600,{"count":"3","sum":"4","buckets":[[3,"-0","0","1"],[0,"1","2","1"],[0,"2","4","1"]]}]`,
		`kept`:                           `"value":[1795305600,"1"]`,
		`histogram_count(rw_native)`:     `"value":[1795305600,"3"]`,
		`count({__name__=~"rw.*|fh"})`:   `"value":[1795305600,"4"]`,
		`histogram_count(fh)`:            `"value":[1795305600,"1.5"]`,
		`fh`:                             `"histogram":[1795305600,{"count":"1.5","sum":"0","buckets":[[3,"-0.001","0.001","1.5"]]}]`,
		`timestamp(unit_ok_seconds)`:     `"value":[1795305600,"1795305600"]`,
		`count_over_time(rw_total[10m])`: `"value":[1795305600,"2"]`,
	} {
		at.Set("query", query)
		code, env := get(t, srv, "query", at)
		if code != 200 || !strings.Contains(string(env.Data), want) {
			t.Errorf("%s: %d %s, want %s", query, code, env.Data, want)
		}
	}
	_, env := get(t, srv, "metadata", url.Values{"metric": {"rw_total"}})
	if string(env.Data) != `{"rw_total":[{"type":"counter","help":"h","unit":""}]}` {
		t.Errorf("metadata = %s", env.Data)
	}
}

// FuzzDecodeWrite feeds arbitrary bodies to the remote-write decoder, as
// both protocol versions, compressed or not: it must return an error or
// series, never panic.
func FuzzDecodeWrite(f *testing.F) {
	for _, seed := range [][]byte{v1Request(f), v2Request(f), {}, {0x0a, 0x00}, []byte("garbage")} {
		f.Add(seed, false, false)
		f.Add(seed, true, false)
		f.Add(snappy.Encode(nil, seed), false, true)
		f.Add(snappy.Encode(nil, seed), true, true)
	}
	f.Fuzz(func(t *testing.T, body []byte, v2, compressed bool) {
		proto := protoV1
		if v2 {
			proto = protoV2
		}
		req, err := decodeWrite(proto, body, compressed, 1<<20)
		if err != nil {
			return
		}
		for _, s := range req.series {
			_ = s.lset.String()
			for _, smp := range s.samples {
				if smp.fh != nil {
					_ = smp.fh.String()
				}
			}
		}
	})
}

// TestRemoteWriteMetadataApart sends metadata the way Prometheus's remote
// write 1.0 does, in a request without samples: the samples that follow
// take it, so help is kept and a gauge named *_total stays a gauge.
func TestRemoteWriteMetadataApart(t *testing.T) {
	srv, _ := newTestAPI(t)
	ms := t0.UnixMilli()
	samples := &prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		{Labels: []prompb.Label{{Name: "__name__", Value: "apart_requests_total"}, {Name: "job", Value: "rw"}},
			Samples: []prompb.Sample{{Value: 1, Timestamp: ms - 2000}, {Value: 2, Timestamp: ms - 1000}}},
		{Labels: []prompb.Label{{Name: "__name__", Value: "apart_balance_total"}, {Name: "job", Value: "rw"}},
			Samples: []prompb.Sample{{Value: -1, Timestamp: ms - 2000}, {Value: -2, Timestamp: ms - 1000}}},
		{Labels: []prompb.Label{{Name: "__name__", Value: "apart_latency_seconds_count"}, {Name: "job", Value: "rw"}},
			Samples: []prompb.Sample{{Value: 3, Timestamp: ms - 1000}}},
	}}
	metas := &prompb.WriteRequest{Metadata: []prompb.MetricMetadata{
		{Type: prompb.MetricMetadata_COUNTER, MetricFamilyName: "apart_requests_total", Help: "Requests."},
		{Type: prompb.MetricMetadata_GAUGE, MetricFamilyName: "apart_balance_total", Help: "Balance."},
		{Type: prompb.MetricMetadata_HISTOGRAM, MetricFamilyName: "apart_latency_seconds", Help: "Latency."},
	}}
	for i, req := range []*prompb.WriteRequest{metas, samples} {
		b, err := req.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(srv.URL+"/prometheus/api/v1/write", "application/x-protobuf", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	for _, tc := range []struct{ metric, want string }{
		{"apart_requests_total", `{"apart_requests_total":[{"type":"counter","help":"Requests.","unit":""}]}`},
		{"apart_balance_total", `{"apart_balance_total":[{"type":"gauge","help":"Balance.","unit":""}]}`},
		{"apart_latency_seconds", `{"apart_latency_seconds":[{"type":"histogram","help":"Latency.","unit":""}]}`},
		{"apart_latency_seconds_count", `{}`},
	} {
		_, env := get(t, srv, "metadata", url.Values{"metric": {tc.metric}})
		if string(env.Data) != tc.want {
			t.Errorf("metadata %s = %s, want %s", tc.metric, env.Data, tc.want)
		}
	}
	_, env := get(t, srv, "query", url.Values{"query": {"apart_balance_total"}, "time": {"1795305600"}})
	if !strings.Contains(string(env.Data), `"value":[1795305600,"-2"]`) {
		t.Errorf("apart_balance_total: %s", env.Data)
	}
}

func TestWithoutHelpless(t *testing.T) {
	c, cHelp := metricMetadata{Type: "counter"}, metricMetadata{Type: "counter", Help: "h"}
	g, gUnit := metricMetadata{Type: "gauge"}, metricMetadata{Type: "gauge", Help: "h", Unit: "s"}
	for _, tc := range []struct {
		name    string
		in, out []metricMetadata
	}{
		{"help replaces none", []metricMetadata{c, cHelp}, []metricMetadata{cHelp}},
		{"help after", []metricMetadata{cHelp, c}, []metricMetadata{cHelp}},
		{"other type kept", []metricMetadata{c, g, cHelp}, []metricMetadata{g, cHelp}},
		{"other unit kept", []metricMetadata{g, gUnit}, []metricMetadata{g, gUnit}},
		{"no help at all", []metricMetadata{c, g}, []metricMetadata{c, g}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := withoutHelpless(slices.Clone(tc.in)); !slices.Equal(got, tc.out) {
				t.Errorf("withoutHelpless(%v) = %v, want %v", tc.in, got, tc.out)
			}
		})
	}
}
