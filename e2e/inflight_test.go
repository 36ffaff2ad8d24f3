package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// The load of TestIngestInflightBound: inflightRequests large exports of
// inflightSpans spans each (≈ 2.2 MiB of protobuf, charged 4× that), half
// over OTLP/gRPC and half over OTLP/HTTP, all sent at once; the bound
// (2.5 exports' weight) admits two of them at a time.
const (
	inflightRequests = 16
	inflightSpans    = 10_000
	inflightKey      = "max_inflight_bytes"
)

func inflightConfig(bound string) string {
	return fmt.Sprintf(`extensions:
  overlook:
    ingest:
      max_inflight_bytes: %q
receivers:
  otlp:
    protocols:
      grpc:
        max_recv_msg_size_mib: 64
      http:
        max_request_body_size: 67108864
`, bound)
}

// inflightTraces is export n: inflightSpans spans of service
// inflight-e2e, each with attribute batch = n.
func inflightTraces(n int) []byte {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "inflight-e2e")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	now := time.Now()
	for i := range inflightSpans {
		sp := spans.AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{byte(n), byte(i >> 8), byte(i), 1})
		sp.SetSpanID(pcommon.SpanID{byte(n), byte(i >> 8), byte(i), 2})
		sp.SetName("POST /api/orders")
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Duration(i) * time.Microsecond)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
		a := sp.Attributes()
		a.PutInt("batch", int64(n))
		a.PutInt("seq", int64(i))
		a.PutStr("url.path", "/api/orders/"+strconv.Itoa(i))
		a.PutStr("http.request.method", "POST")
		a.PutStr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) inflight")
	}
	b, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	return b
}

// inflightRun is what one load against one server gave.
type inflightRun struct {
	acked, inflightRefused, otherRetryable int
	serverRefused                          int
	peakGauge                              float64
	hwm                                    int64
	elapsed, cpu                           time.Duration
}

// TestIngestInflightBound: 16 large exports (≈ 2.2 MiB each, 8 over gRPC
// and 8 over HTTP) sent at once to a server whose
// ingest::max_inflight_bytes admits two at a time. Every refusal is
// retryable (gRPC UNAVAILABLE / HTTP 503 + Retry-After naming the key)
// and counted exactly in overlook_ingest_inflight_refused_total; every
// export, retried until acknowledged, is stored exactly once (counted
// through the search API); the in-flight gauge never exceeds the bound.
// The same load against a server without the bound ("0") is refused
// nothing; the peak RSS of both is logged (not asserted: the machine is
// shared).
func TestIngestInflightBound(t *testing.T) {
	heavy(t)
	bodies := make([][]byte, inflightRequests)
	for i := range bodies {
		bodies[i] = inflightTraces(i + 1)
	}
	bound := 4 * int64(len(bodies[0])) * 5 / 2
	bounded := runInflightLoad(t, bodies, strconv.FormatInt(bound, 10))
	unbounded := runInflightLoad(t, bodies, "0")
	for _, r := range []struct {
		name string
		run  inflightRun
	}{{fmt.Sprintf("bounded (%.1f MiB)", float64(bound)/(1<<20)), bounded}, {"unbounded", unbounded}} {
		t.Logf("%s: %d exports acknowledged in %v (server CPU %v), %d refused for the bound (server counted %d), %d other retryable refusals, in-flight gauge peak %.1f MiB, VmHWM %d MiB",
			r.name, r.run.acked, r.run.elapsed.Round(time.Millisecond), r.run.cpu, r.run.inflightRefused, r.run.serverRefused, r.run.otherRetryable,
			r.run.peakGauge/(1<<20), r.run.hwm>>20)
	}
	if bounded.inflightRefused == 0 {
		t.Errorf("16 exports at once, 2 admitted at a time: none was refused for the bound")
	}
	if unbounded.inflightRefused != 0 || unbounded.serverRefused != 0 {
		t.Errorf("without the bound %d exports were refused for it (server counted %d)", unbounded.inflightRefused, unbounded.serverRefused)
	}
}

func runInflightLoad(t *testing.T, bodies [][]byte, bound string) inflightRun {
	t.Helper()
	s := newServer(t, inflightConfig(bound))
	s.launcher = heavyLauncher
	s.start()
	defer s.stop()
	pid := s.cmd.Process.Pid
	conn, err := grpc.NewClient(s.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := ptraceotlp.NewGRPCClient(conn)

	var (
		mu       sync.Mutex
		run      inflightRun
		failures []string
		wg       sync.WaitGroup
		start    = make(chan struct{})
	)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for i, body := range bodies {
		viaGRPC := i%2 == 0
		wg.Go(func() {
			<-start
			for ctx.Err() == nil {
				var ok, inflightRefusal, retryable bool
				var what string
				if viaGRPC {
					req := ptraceotlp.NewExportRequest()
					if err := req.UnmarshalProto(body); err != nil {
						what = err.Error()
						break
					}
					_, err := client.Export(ctx, req)
					st := status.Convert(err)
					ok = err == nil
					retryable = st.Code() == codes.Unavailable
					inflightRefusal = retryable && strings.Contains(st.Message(), inflightKey)
					what = fmt.Sprintf("gRPC %s: %s", st.Code(), st.Message())
				} else {
					resp, err := http.Post("http://"+s.http+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
					if err != nil {
						what = err.Error()
					} else {
						msg, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						ok = resp.StatusCode == http.StatusOK
						retryable = resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests
						inflightRefusal = resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "1" &&
							bytes.Contains(msg, []byte(inflightKey))
						what = fmt.Sprintf("HTTP %d: %.200q", resp.StatusCode, msg)
					}
				}
				mu.Lock()
				switch {
				case ok:
					run.acked++
				case inflightRefusal:
					run.inflightRefused++
				case retryable:
					run.otherRetryable++
				default:
					failures = append(failures, what)
				}
				mu.Unlock()
				if ok || !retryable {
					return
				}
				time.Sleep(50 * time.Millisecond) // a client's backoff, shortened
			}
		})
	}
	t0, cpu0 := time.Now(), procCPU(pid)
	close(start)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(50 * time.Millisecond)
watch:
	for {
		select {
		case <-done:
			break watch
		case <-tick.C:
			run.hwm = max(run.hwm, vmHWM(pid))
			if v, ok := scrapeGauge(s.api, "overlook_ingest_inflight_bytes"); ok {
				run.peakGauge = max(run.peakGauge, v)
			}
		}
	}
	tick.Stop()
	run.elapsed, run.cpu = time.Since(t0), procCPU(pid)-cpu0
	run.hwm = max(run.hwm, vmHWM(pid))
	for _, f := range failures {
		t.Errorf("bound %s: an export failed with a non-retryable answer: %s", bound, f)
	}
	if run.acked != len(bodies) {
		t.Fatalf("bound %s: %d of %d exports acknowledged", bound, run.acked, len(bodies))
	}
	m := s.metrics()
	run.serverRefused = counterSum(m, "overlook_ingest_inflight_refused_total")
	if run.serverRefused != run.inflightRefused {
		t.Errorf("bound %s: the clients saw %d refusals for the bound, the server counted %d:\n%s",
			bound, run.inflightRefused, run.serverRefused, grepLines(m, "overlook_ingest_inflight"))
	}
	if limit, err := strconv.ParseFloat(bound, 64); err == nil && limit > 0 && run.peakGauge > limit {
		t.Errorf("bound %s: the in-flight gauge reached %.0f B", bound, run.peakGauge)
	}
	if g, _ := scrapeGauge(s.api, "overlook_ingest_inflight_bytes"); g != 0 {
		t.Errorf("bound %s: %v B still in flight after every export was answered", bound, g)
	}
	// Acknowledged means committed: each export's spans stored once.
	want := int64(len(bodies) * inflightSpans)
	if n := s.search("traces", `ServiceName:"inflight-e2e"`).Count; n != want {
		t.Errorf("bound %s: %d spans stored, want %d (%d exports of %d, each once)", bound, n, want, len(bodies), inflightSpans)
	}
	for b := 1; b <= len(bodies); b++ {
		if n := s.search("traces", fmt.Sprintf(`ServiceName:"inflight-e2e" AND batch:"%d"`, b)).Count; n != inflightSpans {
			t.Errorf("bound %s: export %d has %d spans stored, want %d", bound, b, n, inflightSpans)
		}
	}
	return run
}

// scrapeGauge reads one unlabelled sample from the server's /metrics.
func scrapeGauge(api, name string) (float64, bool) {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get("http://" + api + "/metrics")
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}

// counterSum adds every series of a counter in a /metrics text.
func counterSum(text, name string) int {
	var sum float64
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(line, name+"{") || strings.HasPrefix(line, name+" ") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	return int(sum)
}
