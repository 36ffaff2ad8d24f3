package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/overlook-dev/overlook/bench/internal/child"
)

// -jaeger: the same load against Jaeger v2 (bench/jaeger builds v1.75.0)
// with Badger storage, for issue 10's side-by-side table. Jaeger is started
// like overlook (free 127.0.0.1 ports, a data dir, its own process group,
// SIGINT to stop) and measured the same way from /proc: CPU per 1k spans,
// peak RSS, the data dir's bytes after the stop and trace by ID through its
// query API (GET /api/traces/{id}). There is no batch processor and no
// exporter queue, so an export is acknowledged once Badger has written its
// spans (Badger's default: no fsync per write, `consistency: false`).
// Jaeger has no count API: rows in store are not measured.

// jaegerConfig is Jaeger v2's collector configuration: OTLP receiver,
// Badger storage under dataDir, the query extension; internal telemetry
// off (it would listen on :8888).
func jaegerConfig(grpcAddr, httpAddr, queryHTTP, queryGRPC, dataDir string) string {
	return fmt.Sprintf(`service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: badger_store
    http:
      endpoint: %s
    grpc:
      endpoint: %s
  jaeger_storage:
    backends:
      badger_store:
        badger:
          directories:
            keys: %s
            values: %s
          ephemeral: false
          ttl:
            spans: 72h
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: %s
      http:
        endpoint: %s
exporters:
  jaeger_storage_exporter:
    trace_storage: badger_store
`, queryHTTP, queryGRPC, filepath.Join(dataDir, "keys"), filepath.Join(dataDir, "values"), grpcAddr, httpAddr)
}

// startJaeger runs `binary --config` on free loopback ports and waits
// until its query API answers. The returned server's api is the query
// HTTP address.
func startJaeger(binary, dataDir, workDir string) (*server, error) {
	var addrs [4]string
	for i := range addrs {
		a, err := freePort()
		if err != nil {
			return nil, err
		}
		addrs[i] = a
	}
	s := &server{grpc: addrs[0], api: addrs[2], dataDir: dataDir,
		logPath: filepath.Join(workDir, "jaeger.log"), exited: make(chan struct{})}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	cfgPath := filepath.Join(workDir, "jaeger.yaml")
	if err := os.WriteFile(cfgPath, []byte(jaegerConfig(addrs[0], addrs[1], addrs[2], addrs[3], dataDir)), 0o600); err != nil {
		return nil, fmt.Errorf("write jaeger config: %w", err)
	}
	logf, err := os.Create(s.logPath)
	if err != nil {
		return nil, fmt.Errorf("create jaeger log: %w", err)
	}
	s.cmd = exec.Command(binary, "--config", cfgPath)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	waited, err := child.Start(s.cmd)
	if err != nil {
		_ = logf.Close()
		return nil, err
	}
	go func() {
		s.waitErr = <-waited
		_ = logf.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("jaeger exited during startup (%v):\n%s", s.waitErr, s.logTail(30))
		default:
		}
		resp, err := http.Get("http://" + s.api + "/api/services")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	return nil, fmt.Errorf("jaeger not ready after 90s:\n%s", s.logTail(30))
}

// runJaeger starts Jaeger, loads it, looks traces up and stops it.
func runJaeger(ctx context.Context, o options, cfg loadConfig, rep *report, dataDir, workDir string, stderr io.Writer) error {
	srv, err := startJaeger(o.jaeger, dataDir, workDir)
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			_, _ = srv.stop(o.stopTimeout)
		}
	}()
	fmt.Fprintf(stderr, "jaeger started: pid %d, OTLP gRPC %s, query %s, data %s, log %s\n",
		srv.cmd.Process.Pid, srv.grpc, srv.api, dataDir, srv.logPath)
	sk, err := newGRPCSink(srv.grpc, o.compression)
	if err != nil {
		return err
	}
	defer sk.close()
	cfg.status = cpuStatus("jaeger", srv.procStats)
	res, err := measureLoad(ctx, cfg, sk, rep, srv.procStats, nil, "load generator (this process)")
	if err != nil {
		return err
	}
	rep.Server.Process = "jaeger"
	d := &diskReport{RowsSource: "acknowledged (Jaeger has no count)", BytesBeforeStop: dirSize(dataDir)}
	for _, s := range rep.Signals {
		d.RowsStored += s.AckedRows
	}
	d.PerRowBeforeStop = perRow(d.BytesBeforeStop, d.RowsStored)
	rep.Disk = d
	doLookups(ctx, o, cfg, res, rep, jaegerLookup(srv.api), stderr)
	fmt.Fprintln(stderr, "stopping jaeger (SIGINT)...")
	took, err := srv.stop(o.stopTimeout)
	stopped = true
	if err != nil {
		return err
	}
	d.Stopped, d.StopS = true, round2(took.Seconds())
	d.DirBytesAfterStop = dirSize(dataDir)
	d.PerRowAfterStop = perRow(d.DirBytesAfterStop, d.RowsStored)
	return nil
}

// jaegerLookup fetches a trace from Jaeger's query API and counts its
// spans.
func jaegerLookup(api string) lookupFunc {
	client := &http.Client{}
	return func(ctx context.Context, id string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+api+"/api/traces/"+id, nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusNotFound:
			_, _ = io.Copy(io.Discard, resp.Body)
			return 0, errTraceNotFound
		default:
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			return 0, fmt.Errorf("GET /api/traces/%s: %s: %s", id, resp.Status, b)
		}
		var body struct {
			Data []struct {
				Spans []json.RawMessage `json:"spans"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return 0, fmt.Errorf("decode trace %s: %w", id, err)
		}
		n := 0
		for _, t := range body.Data {
			n += len(t.Spans)
		}
		if n == 0 {
			return 0, errTraceNotFound
		}
		return n, nil
	}
}
