package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// admissionConfig: the default tenant may send 0.5 spans a second with a
// burst of 10, so one 10-span batch passes and the next waits ≈ 20 s;
// span metrics flush every 500 ms.
const admissionConfig = `extensions:
  overlook:
    multitenancy:
      overrides:
        defaults:
          ingestion:
            spans_per_second: 0.5
            spans_burst: 10
connectors:
  span_metrics:
    metrics_flush_interval: 500ms
`

// TestRetriedBatchCountedOnce: a batch refused with 429 for the tenant's
// span rate, sent again after Retry-After as a client does, is stored and
// counted by the span metrics exactly once. The rate used to be checked
// in the store exporter, after the traces pipeline had handed the batch to
// the span-metrics connector too: the refused attempt was counted, and the
// retry counted it again (30 calls for 20 spans).
func TestRetriedBatchCountedOnce(t *testing.T) {
	s := newServer(t, admissionConfig)
	s.start()
	send := func(batch int) (int, int, string) {
		td := limitSpans("retried", 10)
		rss := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		for i := range rss.Len() {
			rss.At(i).Attributes().PutInt("batch", int64(batch))
		}
		pb, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		resp, err := http.Post("http://"+s.http+"/v1/traces", "application/x-protobuf", bytes.NewReader(pb))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return resp.StatusCode, ra, string(body)
	}
	if code, _, body := send(1); code != http.StatusOK {
		t.Fatalf("first batch: %d %s", code, body)
	}
	code, retry, body := send(2)
	if code != http.StatusTooManyRequests || retry < 1 || !strings.Contains(body, "spans per second") {
		t.Fatalf("second batch: %d, Retry-After %d, %s; want 429 with Retry-After for the span rate", code, retry, body)
	}
	refusals := 1
	// Retry as a client does, after each Retry-After.
	for code != http.StatusOK {
		if refusals > 5 {
			t.Fatalf("the retried batch still refused after %d attempts: %d %s", refusals, code, body)
		}
		time.Sleep(time.Duration(retry) * time.Second)
		if code, retry, body = send(2); code == http.StatusTooManyRequests {
			refusals++
		} else if code != http.StatusOK {
			t.Fatalf("retry: %d %s", code, body)
		}
	}

	// 20 spans stored and counted, although the second batch was sent
	// (at least) twice.
	calls := func() string {
		v := s.instant(`sum(traces_spanmetrics_calls_total{service="retried"})`, time.Now())
		if len(v) == 0 {
			return ""
		}
		return fmt.Sprint(v[0].Value[1])
	}
	eventually(t, "20 spans stored", func() bool { return s.search("traces", `ServiceName:"retried"`).Count == 20 })
	eventually(t, "span metrics of 20 calls", func() bool { return calls() != "" })
	time.Sleep(2 * time.Second) // several flushes later: nothing more was counted
	if got := calls(); got != "20" {
		t.Errorf("traces_spanmetrics_calls_total for the service = %s after %d refusal(s) and a retry, want 20: each span counted once", got, refusals)
	}
	if n := s.search("traces", `ServiceName:"retried"`).Count; n != 20 {
		t.Errorf("%d spans stored, want 20", n)
	}
	want := fmt.Sprintf(`overlook_tenant_refused_total{reason="rate_limited",signal="traces",tenant="default"} %d`, 10*refusals)
	if m := s.metrics(); !strings.Contains(m, want) {
		t.Errorf("metrics lack %s:\n%s", want, grepLines(m, "overlook_tenant_refused"))
	}
}
