package main

// Benchmarks of the production parts store (internal/store/parts) on
// bench/ingest's generated data: CPU per 1k rows (process CPU, so the
// background part writer and merger count) and bytes on disk per row
// after Close.
//
//	go test ./bench/ingest -run '^$' -bench BenchmarkParts -benchtime 200x

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/parts"
)

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchParts inserts b.N batches of 1000 rows (pregenerated: 60 distinct
// batches, more than a part) and reports cpu-ms/1k and B/row on disk.
func benchParts(b *testing.B, kind parts.Kind, insert func(tb *parts.Table, i int) error) {
	dir := b.TempDir()
	pageBytes, _ := strconv.Atoi(os.Getenv("OVERLOOK_PAGE_BYTES")) // 0: the parts default
	tb, err := parts.Open(context.Background(), parts.Config{Dir: dir, Kind: kind, PageBytes: pageBytes, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := processCPU()
	refused := 0
	for i := range b.N {
		for {
			err := insert(tb, i)
			if errors.Is(err, store.ErrOverloaded) {
				refused++ // part writing is behind: retry, as a client does
				time.Sleep(10 * time.Millisecond)
				continue
			}
			if err != nil {
				b.Fatal(err)
			}
			break
		}
	}
	merges := tb.Stats().Merges
	if err := tb.Close(); err != nil {
		b.Fatal(err)
	}
	used := processCPU() - cpu
	b.ReportMetric(float64(merges), "merges")
	b.StopTimer()
	rows := float64(b.N) * 1000
	b.ReportMetric(float64(used.Microseconds())/1000/(rows/1000), "cpu-ms/1k")
	tb, err = parts.Open(context.Background(), parts.Config{Dir: dir, Kind: kind, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	st := tb.Stats()
	tb.Close()
	if st.Rows != int64(rows) {
		b.Fatalf("stored %d rows, want %d", st.Rows, int64(rows))
	}
	b.ReportMetric(float64(st.DiskBytes)/rows, "B/row")
	b.ReportMetric(float64(refused), "refusals")
	b.ReportMetric(float64(st.Parts), "parts")
}

func BenchmarkPartsInsertTraces(b *testing.B) {
	r, sh := testShop()
	batches := make([]ptrace.Traces, 60)
	start := time.Now()
	for i := range batches {
		batches[i], _ = genTraces(r, sh, 1000, start.Add(time.Duration(i)*time.Second), time.Second)
	}
	benchParts(b, parts.Traces, func(tb *parts.Table, i int) error {
		return tb.InsertTraces(context.Background(), batches[i%len(batches)])
	})
}

func BenchmarkPartsInsertLogs(b *testing.B) {
	r, sh := testShop()
	batches := make([]plog.Logs, 60)
	start := time.Now()
	for i := range batches {
		batches[i] = genLogs(r, sh, 1000, start.Add(time.Duration(i)*time.Second), time.Second)
	}
	benchParts(b, parts.Logs, func(tb *parts.Table, i int) error {
		return tb.InsertLogs(context.Background(), batches[i%len(batches)])
	})
}
