package budget

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

const gib = 1 << 30

func meminfo(total int64) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("MemTotal:       " + strconv.FormatInt(total>>10, 10) + " kB\nMemFree: 1 kB\n")}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name       string
		files      fstest.MapFS
		env        map[string]string
		wantTotal  int64
		wantSource string
		wantGo     int64
		wantErr    string
	}{
		{
			name: "cgroup v2 limit",
			files: fstest.MapFS{
				"proc/meminfo":     meminfo(24 * gib),
				"proc/self/cgroup": {Data: []byte("0::/system.slice/overlook.service\n")},
				"sys/fs/cgroup/system.slice/overlook.service/memory.max": {Data: []byte("536870912\n")},
				"sys/fs/cgroup/system.slice/memory.max":                  {Data: []byte("max\n")},
			},
			wantTotal: 512 << 20, wantSource: "cgroup /sys/fs/cgroup/system.slice/overlook.service/memory.max", wantGo: 256 << 20,
		},
		{
			name: "cgroup v2 parent is tighter",
			files: fstest.MapFS{
				"proc/meminfo":                 meminfo(24 * gib),
				"proc/self/cgroup":             {Data: []byte("0::/a/b\n")},
				"sys/fs/cgroup/a/b/memory.max": {Data: []byte("max\n")},
				"sys/fs/cgroup/a/memory.max":   {Data: []byte("1073741824\n")},
			},
			wantTotal: gib, wantSource: "cgroup /sys/fs/cgroup/a/memory.max", wantGo: gib / 2,
		},
		{
			name: "cgroup namespace root",
			files: fstest.MapFS{
				"proc/meminfo":             meminfo(24 * gib),
				"proc/self/cgroup":         {Data: []byte("0::/\n")},
				"sys/fs/cgroup/memory.max": {Data: []byte("2147483648\n")},
			},
			env:       map[string]string{"GOMEMLIMIT": "1800MiB"},
			wantTotal: 2 * gib, wantSource: "cgroup /sys/fs/cgroup/memory.max", wantGo: 1800 << 20,
		},
		{
			name: "cgroup v1 limit",
			files: fstest.MapFS{
				"proc/meminfo":     meminfo(24 * gib),
				"proc/self/cgroup": {Data: []byte("4:memory:/docker/abc\n0::/\n")},
				"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": {Data: []byte("4294967296\n")},
			},
			wantTotal: 4 * gib, wantSource: "cgroup /sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", wantGo: 2 * gib,
		},
		{
			name: "cgroup v1 unlimited falls back to the host",
			files: fstest.MapFS{
				"proc/meminfo":     meminfo(24 * gib),
				"proc/self/cgroup": {Data: []byte("4:memory:/x\n")},
				"sys/fs/cgroup/memory/x/memory.limit_in_bytes": {Data: []byte("9223372036854771712\n")},
				"sys/fs/cgroup/memory/memory.limit_in_bytes":   {Data: []byte("9223372036854771712\n")},
			},
			wantTotal: 12 * gib, wantSource: "50% of host RAM 24GiB", wantGo: 6 * gib,
		},
		{
			name: "limit above the host's RAM is no limit",
			files: fstest.MapFS{
				"proc/meminfo":             meminfo(8 * gib),
				"proc/self/cgroup":         {Data: []byte("0::/\n")},
				"sys/fs/cgroup/memory.max": {Data: []byte("68719476736\n")},
			},
			wantTotal: 4 * gib, wantSource: "50% of host RAM 8GiB", wantGo: 2 * gib,
		},
		{
			name:      "GOMEMLIMIT without cgroup",
			files:     fstest.MapFS{"proc/meminfo": meminfo(24 * gib)},
			env:       map[string]string{"GOMEMLIMIT": "460MiB"},
			wantTotal: 460 << 20, wantSource: "GOMEMLIMIT", wantGo: 460 << 20,
		},
		{
			name:      "GOMEMLIMIT off",
			files:     fstest.MapFS{"proc/meminfo": meminfo(16 * gib)},
			env:       map[string]string{"GOMEMLIMIT": "off"},
			wantTotal: 8 * gib, wantSource: "50% of host RAM 16GiB", wantGo: 4 * gib,
		},
		{
			name:    "bad GOMEMLIMIT",
			files:   fstest.MapFS{"proc/meminfo": meminfo(16 * gib)},
			env:     map[string]string{"GOMEMLIMIT": "lots"},
			wantErr: "GOMEMLIMIT",
		},
		{
			name:    "nothing known",
			files:   fstest.MapFS{},
			wantErr: "host's RAM is unknown",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Detect(Env{FS: tc.files, Getenv: func(k string) string { return tc.env[k] }})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Total != tc.wantTotal || b.Source != tc.wantSource || b.GoLimit != tc.wantGo {
				t.Errorf("got total %d source %q go %d, want %d %q %d", b.Total, b.Source, b.GoLimit,
					tc.wantTotal, tc.wantSource, tc.wantGo)
			}
		})
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		total                  int64
		limiter, spike, duckdb int64
		pendingRows            int
	}{
		// The 512 MiB deployment.
		{512 << 20, 256 << 20, 51 << 20, 102 << 20, 17476},
		// 12 GiB (half of a 24 GiB host): pending rows hit the store's default.
		{12 * gib, 6 * gib, 1228 << 20, 2457 << 20, MaxPendingRows},
		// A tiny budget keeps a usable queue.
		{64 << 20, 32 << 20, 6 << 20, 12 << 20, MinPendingRows},
	} {
		b := Split(tc.total, "test", 0)
		if b.MemoryLimiter != tc.limiter || b.MemoryLimiterSpike != tc.spike || b.DuckDB != tc.duckdb || b.PendingRows != tc.pendingRows {
			t.Errorf("Split(%d) = limiter %d spike %d duckdb %d rows %d, want %d %d %d %d", tc.total,
				b.MemoryLimiter, b.MemoryLimiterSpike, b.DuckDB, b.PendingRows, tc.limiter, tc.spike, tc.duckdb, tc.pendingRows)
		}
		var sum int64
		for part, n := range b.Parts() {
			// The PromQL cache and the ingest requests in flight are Go
			// heap, inside the Go share.
			if part != "total" && part != "memory_limiter" && part != "promql_cache" && part != "ingest_inflight" {
				sum += n
			}
		}
		if want := min(max(roundMiB(tc.total/40), min(int64(MinPartsBytes), roundMiB(tc.total/16))), MaxPartsBytes); b.PartsBytes != want {
			t.Errorf("Split(%d): parts buffer %d per signal, want %d", tc.total, b.PartsBytes, want)
		}
		if sum > tc.total {
			t.Errorf("Split(%d): the parts (%d) exceed the budget", tc.total, sum)
		}
		if want := min(max(roundMiB(tc.total/25), MinPromQLCacheBytes), MaxPromQLCacheBytes); b.PromQLCacheBytes != want || want > b.GoLimit/4 {
			t.Errorf("Split(%d): PromQL cache %d, want %d (a small part of the Go share %d)", tc.total, b.PromQLCacheBytes, want, b.GoLimit)
		}
	}
}

// The ingest requests in flight get a tenth of the budget, between 16 MiB
// (an eighth of a tiny budget) and 1 GiB, inside the Go share.
func TestSplitInflight(t *testing.T) {
	for _, tc := range []struct{ total, want int64 }{
		{512 << 20, 51 << 20},
		{12 * gib, MaxInflightBytes}, // 1.2 GiB: capped
		{256 << 20, 25 << 20},
		{100 << 20, 12 << 20},
		{64 << 20, 8 << 20},
	} {
		b := Split(tc.total, "test", 0)
		if b.InflightBytes != tc.want || b.InflightBytes > b.MemoryLimiter/2 {
			t.Errorf("Split(%d): in flight %d, want %d (at most half the Go share %d)", tc.total, b.InflightBytes, tc.want, b.MemoryLimiter)
		}
		if b.Parts()["ingest_inflight"] != tc.want {
			t.Errorf("Split(%d): Parts()[ingest_inflight] = %d", tc.total, b.Parts()["ingest_inflight"])
		}
	}
}

// A PromQL query's points and samples are bounded by a quarter of the Go
// share each, at most Prometheus's 50M, at least MinQueryPoints.
func TestSplitPromQL(t *testing.T) {
	for _, tc := range []struct {
		total           int64
		points, samples int
	}{
		// 512 MiB: a quarter of the 256 MiB Go share is 64 MiB.
		{512 << 20, (64 << 20) / 30, (64 << 20) / 24},
		// 12 GiB (half of a 24 GiB host): Prometheus's default.
		{12 * gib, 50_000_000, 50_000_000},
		// 64 MiB: the floor.
		{64 << 20, MinQueryPoints, MinQueryPoints},
	} {
		b := Split(tc.total, "test", 0)
		if b.PromQLMaxPoints != tc.points || b.PromQLMaxSamples != tc.samples {
			t.Errorf("Split(%d): PromQL points %d samples %d, want %d %d", tc.total, b.PromQLMaxPoints, b.PromQLMaxSamples, tc.points, tc.samples)
		}
		if got := int64(b.PromQLMaxPoints)*BytesPerQueryPoint + int64(b.PromQLMaxSamples)*BytesPerQuerySample; tc.total >= 512<<20 && got > b.MemoryLimiter/2 {
			t.Errorf("Split(%d): a query may use %d bytes, over half the Go share (%d)", tc.total, got, b.MemoryLimiter/2)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"1GiB", gib, false}, {"512MiB", 512 << 20, false}, {"4GB", 4e9, false}, {"1.5 GiB", 3 * gib / 2, false},
		{"1000", 1000, false}, {"10b", 10, false}, {"0", 0, false},
		{"", 0, true}, {"-1GiB", 0, true}, {"lots", 0, true}, {"1e30TiB", 0, true}, {"NaN", 0, true},
	} {
		got, err := ParseBytes(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d (bad %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
	if got := FormatBytes(3 * gib / 2); got != "1.5GiB" {
		t.Errorf("FormatBytes(1.5GiB) = %q", got)
	}
}
