package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

const diskBatch = 200

// bulkyLogBatch is one OTLP logs request of diskBatch records with
// incompressible 1 KB bodies, tagged with the batch number.
func bulkyLogBatch(t *testing.T, batch int) []byte {
	t.Helper()
	buf := make([]byte, 512)
	return taggedLogBatch(t, "disk-test", batch, diskBatch, func(int) string {
		_, _ = rand.Read(buf)
		return hex.EncodeToString(buf)
	})
}

// tinyDisk mounts a tmpfs of size bytes; the test is skipped where
// mounting is not permitted (not root). CI runs as root.
func tinyDisk(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("cannot mount a tmpfs for the full-disk test (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// TestFullDiskRefusesAndRecovers puts the data directory on a tiny file
// system and fills it: ingest must be refused retryably (503 with
// Retry-After), /ready must turn 503 with the reason and /metrics show it;
// once space is freed the server must take data again by itself, with
// every acknowledged record stored exactly once and no refused one stored.
// "floor" refuses at storage::min_free_disk before the disk is full;
// "full" disables the floor, so the disk really fills under DuckDB.
func TestFullDiskRefusesAndRecovers(t *testing.T) {
	for _, tc := range []struct {
		name, floor, reason string
		// invalidated: wait, disk still full, until the idle background
		// checkpoint fails and DuckDB invalidates the database (the
		// issue's case: reads then fail too).
		invalidated bool
		// layout: storage::layout ("" the default, parts). The logs reach
		// DuckDB's checkpoint only with "duckdb".
		layout string
	}{
		{"floor", "8MiB", "below the floor of 8MiB (extensions::overlook::storage::min_free_disk)", false, ""},
		{"full", "0", "is full", false, ""},
		{"checkpoint fails", "0", "is full", true, "duckdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mnt := tinyDisk(t, 64<<20)
			ballast := filepath.Join(mnt, "ballast")
			if err := os.WriteFile(ballast, make([]byte, 32<<20), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := fmt.Sprintf("extensions:\n  overlook:\n    storage:\n      min_free_disk: %q\n", tc.floor)
			if tc.layout != "" {
				cfg += fmt.Sprintf("      layout: %q\n", tc.layout)
			}
			s := newServer(t, cfg)
			s.dataDir = filepath.Join(mnt, "data")
			s.start()

			client := &http.Client{Timeout: 30 * time.Second}
			post := func(batch int) *http.Response {
				resp, err := client.Post("http://"+s.http+"/v1/logs", "application/x-protobuf", bytes.NewReader(bulkyLogBatch(t, batch)))
				if err != nil {
					t.Fatalf("export batch %d: %v", batch, err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp
			}
			acked, batch := 0, 0
			var refused []int
			for ; batch < 1000 && len(refused) == 0; batch++ {
				resp := post(batch)
				switch resp.StatusCode {
				case http.StatusOK:
					acked++
				case http.StatusServiceUnavailable:
					refused = append(refused, batch)
					if ra := resp.Header.Get("Retry-After"); ra == "" {
						t.Errorf("503 without Retry-After")
					}
				default:
					t.Fatalf("batch %d: status %d, want 200 or a retryable 503", batch, resp.StatusCode)
				}
			}
			if len(refused) == 0 {
				t.Fatalf("the disk never filled after %d batches", batch)
			}
			t.Logf("refused after %d acknowledged batches", acked)

			var ready struct{ Error string }
			eventually(t, "/ready 503", func() bool { return s.getJSON("/ready", &ready) == http.StatusServiceUnavailable })
			if !strings.Contains(ready.Error, tc.reason) {
				t.Errorf("/ready error %q does not name %q", ready.Error, tc.reason)
			}
			if m := scrape(t, s); !strings.Contains(m, "overlook_store_healthy 0") || !strings.Contains(m, "overlook_store_disk_free_bytes") {
				t.Errorf("/metrics does not show the unhealthy store and its free space")
			}
			// Still refused, retryably, while the disk is full: over
			// HTTP, and over gRPC as Unavailable with a RetryInfo.
			if resp := post(batch); resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("export while full: status %d, want 503", resp.StatusCode)
			}
			refused = append(refused, batch)
			batch++
			req := plogotlp.NewExportRequest()
			if err := req.UnmarshalProto(bulkyLogBatch(t, batch)); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, err := diskTestGRPC(t, s.grpc).Export(ctx, req)
			cancel()
			st, _ := status.FromError(err)
			retry := false
			for _, d := range st.Details() {
				if _, ok := d.(*errdetails.RetryInfo); ok {
					retry = true
				}
			}
			if st.Code() != codes.Unavailable || !retry || !strings.Contains(st.Message(), tc.reason) {
				t.Errorf("gRPC export while full: %v (RetryInfo %v), want Unavailable with RetryInfo naming %q", err, retry, tc.reason)
			}
			refused = append(refused, batch)
			batch++

			if tc.invalidated {
				// The writers are idle: within CheckpointIdle (10s) the
				// background checkpoint runs into the full disk.
				deadline := time.Now().Add(60 * time.Second)
				for !strings.Contains(ready.Error, "invalidated by a fatal I/O error") {
					if time.Now().After(deadline) {
						t.Fatalf("database not invalidated 60s after the disk filled; /ready says %q", ready.Error)
					}
					time.Sleep(500 * time.Millisecond)
					s.getJSON("/ready", &ready)
				}
				now := time.Now().UTC()
				var res searchResult
				code := s.postJSON("/api/search", map[string]any{"source": "logs", "query": `ServiceName:"disk-test"`,
					"start": now.Add(-time.Hour).Format(time.RFC3339), "end": now.Add(time.Minute).Format(time.RFC3339)}, &res)
				if code != http.StatusServiceUnavailable || !strings.Contains(res.Error, "invalidated by a fatal I/O error") {
					t.Errorf("search while invalidated: %d %q, want 503 naming the invalidated database", code, res.Error)
				}
				if resp := post(batch); resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("export while invalidated: status %d, want 503", resp.StatusCode)
				}
				refused = append(refused, batch)
				batch++
			}
			if err := os.Remove(ballast); err != nil {
				t.Fatal(err)
			}
			// Recovered once /ready is 200 and an export is taken. (A
			// checkpoint right after a reopen may still find too little
			// room; the server then refuses and retries by itself.)
			deadline := time.Now().Add(60 * time.Second)
			for {
				if s.getJSON("/ready", nil) == http.StatusOK {
					resp := post(batch)
					if resp.StatusCode == http.StatusOK {
						acked++
						break
					}
					if resp.StatusCode != http.StatusServiceUnavailable {
						t.Fatalf("export after recovery: status %d", resp.StatusCode)
					}
					refused = append(refused, batch)
					batch++
				}
				if time.Now().After(deadline) {
					t.Fatalf("not recovered within 60s of freeing space")
				}
				time.Sleep(200 * time.Millisecond)
			}
			if total := s.search("logs", `ServiceName:"disk-test"`).Count; total != int64(acked*diskBatch) {
				t.Errorf("stored %d records, want exactly the %d acknowledged", total, acked*diskBatch)
			}
			for _, b := range refused {
				if n := s.search("logs", fmt.Sprintf(`ServiceName:"disk-test" AND LogAttributes.batch:"%d"`, b)).Count; n != 0 {
					t.Errorf("refused batch %d has %d stored records", b, n)
				}
			}
		})
	}
}

func scrape(t *testing.T, s *server) string {
	t.Helper()
	resp, err := http.Get("http://" + s.api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestMemoryBudgetExposed starts the binary with GOMEMLIMIT and checks that
// /metrics publishes the budget's parts, with the user's GOMEMLIMIT kept as
// the Go limit and every part inside the budget.
func TestMemoryBudgetExposed(t *testing.T) {
	s := newServer(t, "")
	s.env = append(s.env, "GOMEMLIMIT=1GiB")
	s.start()
	parts := map[string]float64{}
	for line := range strings.SplitSeq(scrape(t, s), "\n") {
		var part string
		var v float64
		if _, err := fmt.Sscanf(line, "overlook_memory_budget_bytes{part=%q} %g", &part, &v); err == nil {
			parts[part] = v
		}
	}
	if parts["go"] != 1<<30 {
		t.Errorf("budget part go = %g, want GOMEMLIMIT (1GiB); parts %v", parts["go"], parts)
	}
	total := parts["total"]
	for _, p := range []string{"memory_limiter", "duckdb", "pending_rows"} {
		if parts[p] <= 0 || parts[p] > total {
			t.Errorf("budget part %s = %g, want within (0, total %g]", p, parts[p], total)
		}
	}
	if !strings.Contains(s.out.String(), "memory budget") {
		t.Errorf("the log does not state the memory budget")
	}
}

func diskTestGRPC(t *testing.T, addr string) plogotlp.GRPCClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return plogotlp.NewGRPCClient(conn)
}
