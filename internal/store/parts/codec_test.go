package parts

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// TestZstdLevelPerKind: a table's pages are written at its ZstdLevel, by
// default DefaultZstdLevel of its kind. The same rows written at two
// levels give files of different sizes, and the default of log records
// (SpeedDefault) costs them at most a few percent over
// SpeedBetterCompression.
func TestZstdLevelPerKind(t *testing.T) {
	size := func(kind Kind, level zstd.EncoderLevel) int64 {
		dir := t.TempDir()
		tb := open(t, Config{Dir: dir, Kind: kind, ZstdLevel: level, PartRows: 1 << 20, FlushInterval: time.Hour})
		r := rand.New(rand.NewPCG(1, 2))
		for i := range 5 {
			at := base.Add(time.Duration(i) * time.Second)
			var err error
			if kind == Logs {
				err = tb.InsertLogs(context.Background(), benchLogs(r, 1000, at))
			} else {
				err = tb.InsertTraces(context.Background(), benchTraces(r, 1000, at))
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := tb.Close(); err != nil {
			t.Fatal(err)
		}
		tb = open(t, Config{Dir: dir, Kind: kind})
		defer tb.Close()
		s := tb.Stats()
		if s.Rows != 5000 {
			t.Fatalf("%v: %d rows after reopening, want 5000", kind, s.Rows)
		}
		return s.DiskBytes
	}
	if DefaultZstdLevel(Logs) != zstd.SpeedFastest || DefaultZstdLevel(Traces) != zstd.SpeedBetterCompression {
		t.Fatalf("default levels: logs %v, traces %v", DefaultZstdLevel(Logs), DefaultZstdLevel(Traces))
	}
	logsDefault, logsMid, logsBetter := size(Logs, 0), size(Logs, zstd.SpeedDefault), size(Logs, zstd.SpeedBetterCompression)
	t.Logf("log records: %d bytes at the default level, %d at SpeedDefault, %d at SpeedBetterCompression", logsDefault, logsMid, logsBetter)
	if logsDefault <= logsMid || logsMid <= logsBetter || float64(logsDefault) > 1.10*float64(logsBetter) {
		t.Errorf("log records: %d bytes at the default level, %d at SpeedDefault, %d at SpeedBetterCompression: want each larger than the next, the first by at most 10%% over the last",
			logsDefault, logsMid, logsBetter)
	}
	tracesDefault, tracesBetter, tracesFastest := size(Traces, 0), size(Traces, zstd.SpeedBetterCompression), size(Traces, zstd.SpeedFastest)
	if tracesDefault != tracesBetter || tracesFastest <= tracesBetter {
		t.Errorf("spans: %d bytes at the default level, %d at SpeedBetterCompression, %d at SpeedFastest: want the first two equal, the last larger",
			tracesDefault, tracesBetter, tracesFastest)
	}
}
