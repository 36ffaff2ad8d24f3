package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

// rawSink inserts into a DuckDB store opened in this process: the same
// bytes the server would receive are decoded (as the OTLP receiver does)
// and handed to InsertTraces / InsertLogs, with no gRPC, no collector
// pipeline and no exporter in between. Raw vs end-to-end throughput is the
// pipeline's cost.
type rawSink struct {
	st *duckdb.Store
	// decodeNanos and insertNanos add up the time spent decoding and
	// inserting, over all sends, to split the raw cost.
	decodeNanos, insertNanos atomic.Int64
}

func openRawSink(dir string, checkpointWAL int64) (*rawSink, error) {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := duckdb.Open(duckdb.Config{Dir: dir, CheckpointWALBytes: checkpointWAL}, logger)
	if err != nil {
		return nil, fmt.Errorf("open store in %s: %w", dir, err)
	}
	return &rawSink{st: st}, nil
}

func (s *rawSink) send(ctx context.Context, sig signal, req []byte) (int64, error) {
	t0 := time.Now()
	var err error
	switch sig {
	case sigTraces:
		var td ptrace.Traces
		if td, err = (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(req); err != nil {
			return 0, fmt.Errorf("decode traces: %w", err)
		}
		t1 := time.Now()
		s.decodeNanos.Add(int64(t1.Sub(t0)))
		err = s.st.InsertTraces(ctx, td)
		s.insertNanos.Add(int64(time.Since(t1)))
	case sigLogs:
		var ld plog.Logs
		if ld, err = (&plog.ProtoUnmarshaler{}).UnmarshalLogs(req); err != nil {
			return 0, fmt.Errorf("decode logs: %w", err)
		}
		t1 := time.Now()
		s.decodeNanos.Add(int64(t1.Sub(t0)))
		err = s.st.InsertLogs(ctx, ld)
		s.insertNanos.Add(int64(time.Since(t1)))
	default:
		return 0, fmt.Errorf("unknown signal %q", sig)
	}
	return 0, err
}

// lookup returns the span count of a trace, as the API would.
func (s *rawSink) lookup(ctx context.Context, traceID string) (int, error) {
	rows, err := s.st.Trace(ctx, traceID)
	return len(rows), err
}

// diskBytes is the store's own size report (database file + WAL).
func (s *rawSink) diskBytes() int64 { return s.st.Stats().DiskBytes }

// close commits, checkpoints and closes the store.
func (s *rawSink) close() error { return s.st.Close() }
