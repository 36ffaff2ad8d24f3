package duckdb

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// The fuzz targets feed arbitrary OTLP protobuf to the pdata → chunk
// mapping and insert the result: whatever pdata's decoder accepts must be
// stored (invalid UTF-8, duplicate map keys, out-of-range timestamps are
// sanitised), never panic and never fail the commit.
//
//	go test ./internal/store/duckdb -run '^$' -fuzz FuzzLogs -fuzztime 60s

func fuzzStore(f *testing.F) *Store {
	s, err := Open(Config{Dir: f.TempDir()}, testLogger(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	return s
}

func FuzzLogs(f *testing.F) {
	for _, ld := range []plog.Logs{plog.NewLogs(), storetest.SampleLogsAt(time.Unix(1700000000, 0), 3)} {
		b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	s := fuzzStore(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(data)
		if err != nil {
			return
		}
		c := logChunks(s.layouts, ld)
		if c.rows != ld.LogRecordCount() {
			t.Fatalf("%d rows from %d records", c.rows, ld.LogRecordCount())
		}
		freeChunks(c.chunks)
		if err := s.InsertLogs(context.Background(), ld); err != nil {
			t.Fatalf("InsertLogs: %v", err)
		}
	})
}

func FuzzTraces(f *testing.F) {
	for _, td := range []ptrace.Traces{ptrace.NewTraces(), storetest.SampleTracesAt(time.Unix(1700000000, 0), 20)} {
		b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	s := fuzzStore(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(data)
		if err != nil {
			return
		}
		spans, ids := traceChunks(s.layouts, td)
		if spans.rows != td.SpanCount() {
			t.Fatalf("%d rows from %d spans", spans.rows, td.SpanCount())
		}
		freeChunks(spans.chunks)
		freeChunks(ids.chunks)
		if err := s.InsertTraces(context.Background(), td); err != nil {
			t.Fatalf("InsertTraces: %v", err)
		}
	})
}

func FuzzMetrics(f *testing.F) {
	for _, md := range []pmetric.Metrics{pmetric.NewMetrics(), storetest.SampleMetricsAt(time.Unix(1700000000, 0))} {
		b, err := (&pmetric.ProtoMarshaler{}).MarshalMetrics(md)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	s := fuzzStore(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := (&pmetric.ProtoUnmarshaler{}).UnmarshalMetrics(data)
		if err != nil {
			return
		}
		rows := 0
		for _, c := range metricChunks(md, store.MetricsExt{}) {
			rows += c.rows
			freeChunks(c.chunks)
		}
		if rows != md.DataPointCount() {
			t.Fatalf("%d rows from %d data points", rows, md.DataPointCount())
		}
		if err := s.InsertMetrics(context.Background(), md); err != nil {
			t.Fatalf("InsertMetrics: %v", err)
		}
	})
}
