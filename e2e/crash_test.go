package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

const crashBatch = 200

// logBatch builds one OTLP logs request of crashBatch records tagged with
// the batch number.
func logBatch(t *testing.T, batch int) []byte {
	t.Helper()
	return taggedLogBatch(t, "crash-test", batch, crashBatch, func(i int) string {
		return fmt.Sprintf("crash test record %d of batch %d", i, batch)
	})
}

// taggedLogBatch builds one OTLP logs request of n records of service,
// each with attributes batch (the batch number) and seq, and the body
// body(seq), so a test can count what of each batch was stored.
func taggedLogBatch(t *testing.T, service string, batch, n int, body func(seq int) string) []byte {
	t.Helper()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	sl := rl.ScopeLogs().AppendEmpty()
	now := time.Now()
	for i := range n {
		r := sl.LogRecords().AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(now))
		r.Body().SetStr(body(i))
		r.Attributes().PutStr("batch", strconv.Itoa(batch))
		r.Attributes().PutInt("seq", int64(i))
	}
	b, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCrashKeepsAcknowledgedData kills the server with SIGKILL while
// clients are exporting, restarts it on the same data directory and checks
// that every acknowledged batch is there in full.
func TestCrashKeepsAcknowledgedData(t *testing.T) {
	s := newServer(t, "")
	s.start()

	var (
		acked   sync.Map // batch number → true
		nAcked  atomic.Int64
		next    atomic.Int64
		wg      sync.WaitGroup
		stopped atomic.Bool
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stopped.Load() {
				n := int(next.Add(1))
				resp, err := client.Post("http://"+s.http+"/v1/logs", "application/x-protobuf", bytes.NewReader(logBatch(t, n)))
				if err != nil {
					continue // the server died mid-request: not acknowledged
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					acked.Store(n, true)
					nAcked.Add(1)
				}
			}
		}()
	}
	eventually(t, "40 acknowledged batches", func() bool { return nAcked.Load() >= 40 })
	s.kill()
	stopped.Store(true)
	wg.Wait()

	s.start()
	want := 0
	acked.Range(func(k, _ any) bool {
		want++
		res := s.search("logs", fmt.Sprintf(`ServiceName:"crash-test" AND LogAttributes.batch:"%d"`, k.(int)))
		if res.Count != crashBatch {
			t.Errorf("batch %d was acknowledged but has %d of %d records after the crash", k, res.Count, crashBatch)
		}
		return true
	})
	total := s.search("logs", `ServiceName:"crash-test"`).Count
	t.Logf("acknowledged %d batches before SIGKILL; %d records stored after restart", want, total)
	if total < int64(want*crashBatch) {
		t.Errorf("stored %d records, fewer than the %d acknowledged", total, want*crashBatch)
	}
	if total%crashBatch != 0 {
		t.Errorf("stored %d records: a batch was stored partially", total)
	}
}
