package parts

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkWALCommit measures one group commit (a record of 256 KiB
// written and fdatasync'd, as a commit of ≈ 1,000 spans at 100k spans/s)
// into a new file, which grows at each commit, and into a reused one,
// overwritten in place (wal_reuse.go). It reports the latency's p50, p99
// and maximum: the disk's flush latency, which every acknowledgement
// waits for. Run the two interleaved on a shared machine:
//
//	go test ./internal/store/parts -run '^$' -bench WALCommit -count 5
func BenchmarkWALCommit(b *testing.B) {
	const segBytes = 32 << 20
	rec := make([]byte, 256<<10)
	for i := range rec {
		rec[i] = byte(i * 7)
	}
	for _, mode := range []string{"new", "reused"} {
		b.Run(mode, func(b *testing.B) {
			dir := b.TempDir()
			no := 1
			kept := ""
			var lat []time.Duration
			var seg *walSegment
			next := func() {
				if seg != nil {
					if err := seg.f.Close(); err != nil {
						b.Fatal(err)
					}
					if mode == "reused" {
						kept = filepath.Join(dir, recycleName(seg.no))
						if err := os.Rename(seg.path, kept); err != nil {
							b.Fatal(err)
						}
					} else if err := os.Remove(seg.path); err != nil {
						b.Fatal(err)
					}
				}
				var err error
				if seg, err = openSegment(filepath.Join(dir, walName(no)), no, kept, nil); err != nil {
					b.Fatal(err)
				}
				no++
			}
			next()
			if mode == "reused" { // a first segment written whole, then reused
				for seg.size < segBytes {
					_ = seg.append(make([]byte, 8), rec)
				}
				if err := seg.seal(); err != nil {
					b.Fatal(err)
				}
				next()
			}
			b.SetBytes(int64(len(rec)))
			b.ResetTimer()
			for b.Loop() {
				if seg.size+int64(len(rec)) > segBytes {
					next()
				}
				t0 := time.Now()
				_ = seg.append(make([]byte, 8), rec)
				if err := seg.seal(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			_ = seg.f.Close()
			slices.Sort(lat)
			ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
		})
	}
}
