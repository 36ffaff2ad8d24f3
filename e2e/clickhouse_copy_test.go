package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/overlook-dev/overlook/internal/testing/chdb"
)

// TestCopyToClickHouse: `overlook copy` moves the logs a DuckDB-backed
// server stored into ClickHouse (chDB): exactly the acknowledged rows;
// run again it copies nothing (every day already there); a
// ClickHouse-backed server then finds them.
func TestCopyToClickHouse(t *testing.T) {
	engine := chdb.Start(t, chdb.Options{})
	s := newServer(t, "")
	s.start()
	// Records of a batch share one timestamp: 200 fit the copy's page of 250.
	const batches, per = 3, 200
	for b := range batches {
		resp, err := http.Post("http://"+s.http+"/v1/logs", "application/x-protobuf", bytes.NewReader(taggedLogBatch(t, "copy-test", b, per, func(i int) string {
			return fmt.Sprintf("copy test record %d of batch %d", i, b)
		})))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export batch %d: %d", b, resp.StatusCode)
		}
	}
	s.stop()

	cfg := filepath.Join(t.TempDir(), "clickhouse.yaml")
	if err := os.WriteFile(cfg, []byte(clickhouseConfig(engine.Endpoint, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func() string {
		t.Helper()
		out, err := exec.Command(binary, "copy", "--from-data", s.dataDir, "--to-config", cfg, "--page-rows", "250").CombinedOutput()
		if err != nil {
			t.Fatalf("overlook copy: %v\n%s", err, out)
		}
		return string(out)
	}
	out := run()
	c, err := ch.Open(&ch.Options{Protocol: ch.HTTP, Addr: []string{engine.Endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n uint64
	if err := c.QueryRow(context.Background(), "SELECT count() FROM default.otel_logs").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != batches*per {
		t.Fatalf("%d log rows in ClickHouse, want %d\n%s", n, batches*per, out)
	}
	out = run()
	if !strings.Contains(out, "otel_logs") || !strings.Contains(out, "day already copied") {
		t.Errorf("second copy did not skip the day:\n%s", out)
	}
	if err := c.QueryRow(context.Background(), "SELECT count() FROM default.otel_logs").Scan(&n); err != nil || n != batches*per {
		t.Fatalf("after the second copy: %d rows (%v), want %d", n, err, batches*per)
	}
	b := newServer(t, clickhouseConfig(engine.Endpoint, ""))
	b.start()
	if res := b.search("logs", "batch:1"); res.Count != per {
		t.Errorf("search batch:1 through a ClickHouse-backed server: %d rows, want %d", res.Count, per)
	}
}

// TestUserAddCLIClickHouse: with storage::backend: clickhouse, `overlook
// user add` writes the user into ClickHouse: a server on another data
// directory, on the same database, lets it log in.
func TestUserAddCLIClickHouse(t *testing.T) {
	engine := chdb.Start(t, chdb.Options{})
	cfg := filepath.Join(t.TempDir(), "clickhouse.yaml")
	if err := os.WriteFile(cfg, []byte(clickhouseConfig(engine.Endpoint, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("cli-password-ch\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := userAdd(t, "--config", cfg, "--data", t.TempDir(), "--email", "ops@example.com", "--role", "admin", "--password-file", pw)
	if !strings.Contains(out, "in the shared store") {
		t.Fatalf("user add said %q", out)
	}
	s := newServer(t, clickhouseConfig(engine.Endpoint, ""))
	s.start()
	c := newAPIClient(t, "http://"+s.api)
	code, _, _ := c.do("GET", "/api/dashboards", "", "")
	want(t, "anonymous once the CLI made a user", code, "", 401, "")
	c.login("ops@example.com", "cli-password-ch")
	code, body := c.json("GET", "/api/audit", "")
	want(t, "the CLI's user.create in the shared audit log", code, body, 200, `"action":"user.create"`)
}
