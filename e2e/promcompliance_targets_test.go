package e2e

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// demoTarget serves a Prometheus text exposition whose values are
// functions of the time since start, so that Prometheus scrapes a
// realistic mix that changes from scrape to scrape: counters (one of them
// resetting), gauges (negative, fractional, integer), a classic histogram
// and a summary with several label dimensions, an info-style gauge and a
// series that comes and goes (stale markers). idx makes the targets
// differ from each other.
type demoTarget struct {
	idx   int
	start time.Time
}

// serveDemoTarget starts a target on a free loopback port, stopped by the
// test's cleanup, and returns its host:port.
func serveDemoTarget(t *testing.T, idx int, start time.Time) string {
	t.Helper()
	d := &demoTarget{idx: idx, start: start}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		d.write(w, time.Since(d.start).Seconds())
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// Bucket bounds of demo_request_duration_seconds.
var demoBuckets = []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"}

// write renders the exposition at s seconds since start.
func (d *demoTarget) write(w io.Writer, s float64) {
	k := float64(d.idx + 1)
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	// Counters: rate r·k per second with a wobble that keeps them monotonic.
	counter := func(r, phase float64) float64 {
		return math.Floor(r*k*(s+2*math.Sin(s/5+phase)) + 100*k)
	}
	p("# HELP demo_requests_total Requests handled.")
	p("# TYPE demo_requests_total counter")
	for i, l := range []struct{ method, path, status string }{
		{"GET", "/api", "200"}, {"GET", "/api", "500"}, {"POST", "/api", "200"}, {"GET", "/home", "200"},
	} {
		r := []float64{12, 0.7, 3.5, 6}[i]
		p(`demo_requests_total{method=%q,path=%q,status=%q} %g`, l.method, l.path, l.status, counter(r, float64(i)))
	}
	// A counter that resets every 25 s. Every counter starts high enough
	// that, at the first samples, its zero point lies more than 1.1 scrape
	// intervals back: there Prometheus 2 and 3 extrapolate rate()
	// differently (see known_differences.txt).
	p("# TYPE demo_errors_total counter")
	p(`demo_errors_total{kind="timeout"} %g`, math.Floor(math.Mod(s+10, 25)*2*k))
	p(`demo_errors_total{kind="refused"} %g`, math.Floor(math.Mod(s+7, 25)*0.5*k))

	p("# HELP demo_temperature_celsius Room temperature.")
	p("# TYPE demo_temperature_celsius gauge")
	for i, room := range []struct{ name, floor string }{{"kitchen", "1"}, {"bedroom", "2"}, {"cellar", "0"}} {
		base := []float64{21, 18.5, -3.25}[i]
		p(`demo_temperature_celsius{floor=%q,room=%q} %g`, room.floor, room.name,
			math.Round((base+k+4*math.Sin(s/9+float64(i)+k))*1000)/1000)
	}
	p("# TYPE demo_queue_length gauge")
	for i, q := range []string{"email", "sms"} {
		p(`demo_queue_length{queue=%q} %g`, q, math.Floor(5+5*math.Sin(s/6+float64(i)*2+k)))
	}
	p("# TYPE demo_version_info gauge")
	p(`demo_version_info{commit="c%d",version="1.%d.0"} 1`, d.idx, d.idx)
	// Present only in every other 20 s window: Prometheus writes stale
	// markers when it disappears.
	if int(s/20)%2 == 0 {
		p("# TYPE demo_batch_running gauge")
		p(`demo_batch_running{batch="nightly"} %g`, math.Floor(s))
	}

	// Values and labels that test the round trip: special floats, label
	// names with leading or double underscores and upper case, label
	// values with quotes, backslashes and non-ASCII, a label named like an
	// OpenTelemetry attribute, a recording-rule style name with colons and
	// a gauge whose name ends in _total.
	p("# TYPE demo_special gauge")
	for _, kv := range []struct{ kind, v string }{
		{"nan", "NaN"}, {"inf", "+Inf"}, {"neginf", "-Inf"}, {"tiny", "1e-300"},
		{"big", fmt.Sprintf("%.17g", 9007199254740993+math.Floor(s)*k)},
	} {
		p(`demo_special{kind=%q} %s`, kv.kind, kv.v)
	}
	p("# TYPE demo_labels gauge")
	p(`demo_labels{Upper="Y",_shard="%d",a__b="x",path="/a b\"c\\d",service_name="svc",unicode="ünï ✓"} %g`, d.idx, k)
	p("# TYPE demo:requests:rate1m gauge")
	p(`demo:requests:rate1m{method="GET"} %g`, math.Round(12*k*(1+0.2*math.Cos(s/5))*100)/100)
	p("# TYPE demo_balance_total gauge")
	p(`demo_balance_total %g`, math.Round(50*math.Sin(s/8+k)*10)/10)

	p("# HELP demo_request_duration_seconds Request latency.")
	p("# TYPE demo_request_duration_seconds histogram")
	for i, l := range []struct{ method, path string }{{"GET", "/api"}, {"POST", "/api"}, {"GET", "/home"}} {
		var cum, sum float64
		for j, le := range demoBuckets {
			// Each bucket grows at its own rate, monotonically.
			r := k * float64(1+(j*(i+2))%5) * 0.8
			cum += math.Floor(r * (s + 2*math.Sin(s/5+float64(j)) + 20))
			if le != "+Inf" {
				sum += math.Floor(r*(s+20)) * parseBound(le) * 0.7
			}
			p(`demo_request_duration_seconds_bucket{le=%q,method=%q,path=%q} %g`, le, l.method, l.path, cum)
		}
		p(`demo_request_duration_seconds_sum{method=%q,path=%q} %g`, l.method, l.path, math.Round(sum*1000)/1000)
		p(`demo_request_duration_seconds_count{method=%q,path=%q} %g`, l.method, l.path, cum)
	}

	p("# TYPE demo_rpc_duration_seconds summary")
	for i, svc := range []string{"auth", "billing"} {
		for j, q := range []string{"0.5", "0.9", "0.99"} {
			v := (0.01 + 0.02*float64(j*j+1)) * (1 + 0.3*math.Sin(s/7+float64(i)+k))
			p(`demo_rpc_duration_seconds{quantile=%q,service=%q} %g`, q, svc, math.Round(v*1e6)/1e6)
		}
		n := math.Floor(k * 9 * (s + 10 + float64(i)))
		p(`demo_rpc_duration_seconds_sum{service=%q} %g`, svc, math.Round(n*0.031*1000)/1000)
		p(`demo_rpc_duration_seconds_count{service=%q} %g`, svc, n)
	}
}

func parseBound(le string) float64 {
	var f float64
	_, _ = fmt.Sscan(le, &f)
	return f
}
