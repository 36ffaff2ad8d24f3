package promapi

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/prompb"

	"github.com/overlook-dev/overlook/internal/ingest/inflight"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// TestRemoteWriteInflight: remote write takes its share of
// ingest::max_inflight_bytes — 4× the compressed body before reading it,
// 4× compressed + decompressed once known — and is refused with 503 +
// Retry-After (nothing stored) when it does not fit; every answer gives
// the hold back. Stored samples are counted with PromQL.
func TestRemoteWriteInflight(t *testing.T) {
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var req prompb.WriteRequest
	for i := range 50 {
		req.Timeseries = append(req.Timeseries, prompb.TimeSeries{
			Labels:  []prompb.Label{{Name: "__name__", Value: "inflight"}, {Name: "s", Value: fmt.Sprint(i)}},
			Samples: []prompb.Sample{{Value: 1, Timestamp: t0.UnixMilli()}}})
	}
	raw, _ := req.Marshal()
	body := snappy.Encode(nil, raw)
	initial := inflight.Weight(int64(len(body)))
	full := inflight.Weight(int64(len(body) + len(raw)))
	limit := 2 * full
	lim := inflight.New(limit, nil)
	m := telemetry.New()
	h := New(Options{Prefix: "/prometheus", Reader: st, Inserter: st, Metadata: st, Targets: noTargets{},
		Logger: slog.New(slog.DiscardHandler), Inflight: lim, Metrics: m})
	h.now = func() time.Time { return t0 }
	t.Cleanup(func() { _ = h.Close() })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	for i, step := range []struct {
		other int64
		body  []byte
		code  int
		msg   string
	}{
		{other: limit - initial + 1, body: body, code: 503, msg: inflight.Key}, // refused before reading
		{other: limit - initial, body: body, code: 503, msg: inflight.Key},     // refused once decompressed
		{other: limit - full, body: body, code: 204},                           // fits exactly: stored
		{other: 0, body: []byte("not snappy"), code: 400, msg: "snappy"},       // malformed: released too
		{other: limit, body: body, code: 503, msg: inflight.Key},               // full
	} {
		var other *inflight.Hold
		if step.other > 0 {
			if other, err = lim.Acquire(step.other); err != nil {
				t.Fatal(err)
			}
		}
		r, _ := http.NewRequest(http.MethodPost, srv.URL+"/prometheus/api/v1/write", bytes.NewReader(step.body))
		r.Header.Set("Content-Type", "application/x-protobuf")
		r.Header.Set("Content-Encoding", "snappy")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != step.code || !strings.Contains(string(msg), step.msg) {
			t.Errorf("step %d: %d %q, want %d %q", i, resp.StatusCode, msg, step.code, step.msg)
		}
		if retry := resp.Header.Get("Retry-After"); (step.code == 503) != (retry == "1") {
			t.Errorf("step %d: Retry-After %q", i, retry)
		}
		other.Release()
		if b, n := lim.InUse(); b != 0 || n != 0 {
			t.Errorf("step %d: %d B in %d holds after the answer", i, b, n)
		}
	}
	if got := testutil.ToFloat64(m.Ingest.InflightRefused.WithLabelValues("remote_write")); got != 3 {
		t.Errorf("refusals counted %v, want 3", got)
	}
	at := url.Values{"time": {fmt.Sprint(t0.Unix())}, "query": {`count(inflight)`}}
	code, env := get(t, srv, "query", at)
	if want := fmt.Sprintf(`"value":[%d,"50"]`, t0.Unix()); code != 200 || !strings.Contains(string(env.Data), want) {
		t.Errorf("count(inflight): %d %s, want %s (one request stored once)", code, env.Data, want)
	}
}
