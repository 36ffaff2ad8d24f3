// Package budget derives overlook's process memory budget and splits it
// between the parts that hold memory: the Go heap (GOMEMLIMIT, and the
// memory_limiter processor that refuses data before it is reached),
// DuckDB (its memory_limit) and the store's queues of converted rows
// (max_pending_rows). The split is documented in docs/limits.md.
//
// The budget is the first of: the cgroup memory limit (v2 memory.max, or
// v1 memory.limit_in_bytes) of the process; GOMEMLIMIT; HostFraction of
// the host's RAM.
package budget

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
)

// The split, as fractions of the budget. What is left (15%) covers what
// no limit governs: DuckDB's allocations outside its buffer manager (its
// resident memory exceeds memory_limit by ≈ 70–110 MiB under write load:
// appender and checkpoint buffers, per-thread state, malloc slack —
// measured in a 512 MiB cgroup, docs/limits.md), goroutine stacks, the
// binary, the kernel's page cache charged to the cgroup. The pending rows
// (PendingShare) live in the Go heap, inside GoShare.
const (
	// HostFraction of the host's RAM is the budget when neither a cgroup
	// limit nor GOMEMLIMIT is set: overlook shares the host with the
	// services it observes.
	HostFraction = 0.5
	// GoShare is the Go heap's share: GOMEMLIMIT when the user did not set
	// it, and the memory_limiter's limit_mib (it refuses data once the
	// heap reaches limit_mib - spike_limit_mib, 80% of it).
	GoShare = 0.50
	// SpikeShare is memory_limiter's spike_limit_mib as a share of its
	// limit_mib (the collector's own default ratio).
	SpikeShare = 0.20
	// DuckDBShare is DuckDB's memory_limit: its buffer manager, query
	// operators (joins, aggregates, sorts spill to disk past it) and the
	// checkpoint's buffers. It was 0.30: in a 512 MiB cgroup under 3×
	// trace overload the process's anonymous memory then peaked at
	// 470–495 MiB (Go ≤ 230 MiB, DuckDB 153 MiB + ≈ 100 MiB outside its
	// limit), a few MiB from the OOM killer.
	DuckDBShare = 0.20
	// PendingShare is the converted rows queued for commit, across the
	// three signals' writers (each gets a third). They are Go heap, so the
	// memory_limiter's limit covers them too.
	PendingShare = 0.10
	// PartsShare is the rows the parts layout holds encoded in memory
	// until they are written as a part (the head, and the parts being
	// written), across traces and logs (each gets half). They live outside
	// the Go heap (mapped memory), so it is not inside GoShare: it comes
	// from what DuckDB no longer needs once spans and logs do not go
	// through its appenders, checkpoints and WAL. 5% (16 MiB per signal
	// in a 512 MiB container, MinPartsBytes): at 10% the process's anonymous memory came
	// within a few MiB of 90% of the container under 3× overload.
	PartsShare = 0.05
	// MinPartsBytes is the least a signal's parts buffer gets: a request
	// over half the buffer can never fit (a 400), and OTLP/gRPC requests
	// reach 4 MiB on the wire (≈ 6 MiB encoded); a small budget cuts the
	// head into parts smaller than part_rows (internal/store/parts).
	MinPartsBytes = 16 << 20
	// MaxPartsBytes caps it: 128 MiB holds several parts of 50k rows
	// (≈ 15–25 MiB each) while the writers catch up; more only lets a
	// backlog grow the resident set (logs at full speed peaked at
	// 474–510 MiB RSS with 603 MiB per signal from a 12 GiB budget).
	MaxPartsBytes = 128 << 20
	// BytesPerPendingRow is the measured size of one converted row in a
	// writer's queue (≈ 1 KiB for spans and logs with ~10 attributes).
	BytesPerPendingRow = 1024
	// MinPendingRows and MaxPendingRows bound the derived max_pending_rows
	// per signal; the upper bound is the store's default.
	MinPendingRows = 4096
	MaxPendingRows = 200_000
	// QueryShare is the share of the Go heap's part one PromQL query may
	// fill with the points it reads and the samples the engine holds: a
	// quarter for each, so a query's worst case is half the Go share,
	// and ingest keeps the other half.
	QueryShare = 0.25
	// BytesPerQueryPoint is what one stored point costs while a query
	// reads it (its time and value in the staging and per-series
	// buffers: ≈ 1.5 GB for 50M points, measured).
	BytesPerQueryPoint = 30
	// BytesPerQuerySample is what one sample costs in the engine (a
	// 16-byte FPoint plus its share of the series' slices).
	BytesPerQuerySample = 24
	// MaxQueryPoints and MaxQuerySamples cap the derived bounds at
	// Prometheus's default max_samples (50M) and MinQueryPoints keeps a
	// tiny budget usable.
	MaxQueryPoints  = 50_000_000
	MaxQuerySamples = 50_000_000
	MinQueryPoints  = 500_000
	// PromQLCacheShare is the PromQL results cache's share
	// (query::promql_cache_bytes), inside GoShare (it is Go heap), between
	// MinPromQLCacheBytes and MaxPromQLCacheBytes: 20 MiB of a 512 MiB
	// budget; a day of a dashboard's panels at step 60 s takes ≈ 25 KiB
	// per result series.
	// InflightShare is ingest::max_inflight_bytes: the weight (4× the
	// uncompressed body, internal/ingest/inflight) of the push requests
	// being decoded or waiting for their answer at once, between
	// MinInflightBytes and MaxInflightBytes. Their decoded data is Go
	// heap, inside GoShare: 51 MiB of a 512 MiB budget (≈ 13 MiB of
	// bodies, about twenty 2000-span exports). The memory_limiter sees the
	// heap only after a request is decoded, so without this bound a burst
	// of concurrent large requests decodes past it. A budget under 128 MiB
	// gets an eighth of it.
	InflightShare       = 0.10
	MinInflightBytes    = 16 << 20
	MaxInflightBytes    = 1 << 30
	PromQLCacheShare    = 0.04
	MinPromQLCacheBytes = 4 << 20
	MaxPromQLCacheBytes = 64 << 20
)

// Budget is the process's memory budget and its parts, in bytes.
type Budget struct {
	// Total is the budget; Source says where it came from.
	Total  int64
	Source string
	// GoLimit is the Go runtime's soft memory limit: the user's GOMEMLIMIT
	// when set (GoLimitFromEnv), else GoShare of Total.
	GoLimit        int64
	GoLimitFromEnv bool
	// MemoryLimiter and MemoryLimiterSpike are the memory_limiter
	// processor's limit_mib and spike_limit_mib, in bytes.
	MemoryLimiter, MemoryLimiterSpike int64
	// DuckDB is the store engine's memory_limit.
	DuckDB int64
	// PendingRows is the store's max_pending_rows per signal, and
	// PendingBytes what they hold across the three signals.
	PendingRows  int
	PendingBytes int64
	// PartsBytes is the parts layout's max_buffered_bytes per signal.
	PartsBytes int64
	// PromQLMaxPoints and PromQLMaxSamples are query::promql_max_points
	// (stored points one selector reads) and query::promql_max_samples
	// (samples the engine holds at once): QueryShare of the Go share
	// each, between MinQueryPoints and 50M.
	PromQLMaxPoints, PromQLMaxSamples int
	// PromQLCacheBytes is query::promql_cache_bytes.
	PromQLCacheBytes int64
	// InflightBytes is ingest::max_inflight_bytes.
	InflightBytes int64
}

// Parts lists the budget's parts by name, for /metrics.
func (b Budget) Parts() map[string]int64 {
	return map[string]int64{
		"total":           b.Total,
		"go":              b.GoLimit,
		"memory_limiter":  b.MemoryLimiter,
		"duckdb":          b.DuckDB,
		"pending_rows":    b.PendingBytes,
		"parts":           2 * b.PartsBytes,
		"promql_cache":    b.PromQLCacheBytes,
		"ingest_inflight": b.InflightBytes,
	}
}

// String describes the budget for the log.
func (b Budget) String() string {
	goSrc := "derived"
	if b.GoLimitFromEnv {
		goSrc = "GOMEMLIMIT"
	}
	return fmt.Sprintf("memory budget %s (%s): Go heap %s (%s), memory_limiter %s (spike %s), DuckDB %s, pending rows %d per signal, parts buffer %s per signal, PromQL %d points per selector and %d samples per query, ingest requests in flight %s",
		FormatBytes(b.Total), b.Source, FormatBytes(b.GoLimit), goSrc, FormatBytes(b.MemoryLimiter),
		FormatBytes(b.MemoryLimiterSpike), FormatBytes(b.DuckDB), b.PendingRows, FormatBytes(b.PartsBytes),
		b.PromQLMaxPoints, b.PromQLMaxSamples, FormatBytes(b.InflightBytes))
}

// Split divides total between the parts. goEnv is GOMEMLIMIT in bytes
// when the user set it (0 otherwise); it is kept as the Go limit.
func Split(total int64, source string, goEnv int64) Budget {
	b := Budget{Total: total, Source: source}
	share := func(f float64) int64 { return int64(float64(total) * f) }
	b.GoLimit = share(GoShare)
	if goEnv > 0 {
		b.GoLimit, b.GoLimitFromEnv = goEnv, true
	}
	b.MemoryLimiter = roundMiB(share(GoShare))
	b.MemoryLimiterSpike = roundMiB(int64(float64(b.MemoryLimiter) * SpikeShare))
	b.DuckDB = roundMiB(share(DuckDBShare))
	rows := share(PendingShare) / 3 / BytesPerPendingRow
	b.PendingRows = int(min(max(rows, MinPendingRows), MaxPendingRows))
	b.PendingBytes = int64(b.PendingRows) * 3 * BytesPerPendingRow
	// MinPartsBytes, unless the whole budget is tiny (a sixteenth of it).
	floor := min(int64(MinPartsBytes), roundMiB(total/16))
	b.PartsBytes = min(max(roundMiB(share(PartsShare)/2), floor), MaxPartsBytes)
	query := int64(float64(b.MemoryLimiter) * QueryShare)
	b.PromQLMaxPoints = int(min(max(query/BytesPerQueryPoint, MinQueryPoints), MaxQueryPoints))
	b.PromQLMaxSamples = int(min(max(query/BytesPerQuerySample, MinQueryPoints), MaxQuerySamples))
	b.PromQLCacheBytes = min(max(roundMiB(share(PromQLCacheShare)), MinPromQLCacheBytes), MaxPromQLCacheBytes)
	// MinInflightBytes, unless the whole budget is tiny (an eighth of it).
	b.InflightBytes = min(max(roundMiB(share(InflightShare)), min(int64(MinInflightBytes), roundMiB(total/8))), MaxInflightBytes)
	return b
}

// roundMiB rounds n down to whole MiB (the memory_limiter's unit), at
// least 1 MiB.
func roundMiB(n int64) int64 {
	return max(n>>20, 1) << 20
}

// Env is where Detect looks: a file system rooted at / (for /proc and
// /sys/fs/cgroup) and the environment.
type Env struct {
	FS     fs.FS
	Getenv func(string) string
}

// System is the running process's environment.
func System() Env {
	return Env{FS: os.DirFS("/"), Getenv: os.Getenv}
}

// Detect derives the budget from env; see the package doc for the order.
func Detect(env Env) (Budget, error) {
	host, hostErr := hostMemory(env.FS)
	var goEnv int64
	if v := strings.TrimSpace(env.Getenv("GOMEMLIMIT")); v != "" && v != "off" {
		n, err := ParseBytes(v)
		if err != nil {
			return Budget{}, fmt.Errorf("GOMEMLIMIT=%q: %w", v, err)
		}
		goEnv = n
	}
	if limit, src := cgroupLimit(env.FS); limit > 0 && (hostErr != nil || limit < host) {
		return Split(limit, src, goEnv), nil
	}
	if goEnv > 0 {
		return Split(goEnv, "GOMEMLIMIT", goEnv), nil
	}
	if hostErr != nil {
		return Budget{}, fmt.Errorf("no cgroup memory limit and no GOMEMLIMIT, and the host's RAM is unknown: %w", hostErr)
	}
	return Split(int64(float64(host)*HostFraction), fmt.Sprintf("%d%% of host RAM %s", int(HostFraction*100), FormatBytes(host)), 0), nil
}

// hostMemory reads MemTotal from /proc/meminfo.
func hostMemory(fsys fs.FS) (int64, error) {
	data, err := fs.ReadFile(fsys, "proc/meminfo")
	if err != nil {
		return 0, fmt.Errorf("read /proc/meminfo: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/meminfo MemTotal %q: %w", f[1], err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("/proc/meminfo has no MemTotal")
}

// cgroupLimit returns the tightest memory limit of the process's cgroup
// and its ancestors (0: none), and where it was read.
func cgroupLimit(fsys fs.FS) (int64, string) {
	data, err := fs.ReadFile(fsys, "proc/self/cgroup")
	if err != nil {
		// No /proc/self/cgroup: try the root of a cgroup namespace.
		return readLimit(fsys, "sys/fs/cgroup/memory.max", "sys/fs/cgroup/memory/memory.limit_in_bytes")
	}
	var v2, v1 string
	haveV2, haveV1 := false, false
	for line := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2, haveV2 = parts[2], true
		case hasController(parts[1], "memory"):
			v1, haveV1 = parts[2], true
		}
	}
	if haveV1 {
		if n, src := walkUp(fsys, "sys/fs/cgroup/memory", v1, "memory.limit_in_bytes"); n > 0 {
			return n, src
		}
	}
	if haveV2 {
		if n, src := walkUp(fsys, "sys/fs/cgroup", v2, "memory.max"); n > 0 {
			return n, src
		}
	}
	return 0, ""
}

func hasController(list, name string) bool {
	for c := range strings.SplitSeq(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// walkUp reads file in the cgroup dir rel under root and every ancestor,
// returning the smallest limit. Inside a cgroup namespace the process's
// own cgroup is the root, which walkUp reaches last.
func walkUp(fsys fs.FS, root, rel, file string) (int64, string) {
	var best int64
	var src string
	dir := path.Clean("/" + rel)
	for {
		p := path.Join(root, dir, file)
		if n, s := readLimit(fsys, p); n > 0 && (best == 0 || n < best) {
			best, src = n, s
		}
		if dir == "/" {
			break
		}
		dir = path.Dir(dir)
	}
	return best, src
}

// readLimit returns the first limit found in files ("max" and v1's
// near-MaxInt64 "unlimited" read as none).
func readLimit(fsys fs.FS, files ...string) (int64, string) {
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(data))
		if s == "max" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || n >= math.MaxInt64/2 {
			continue
		}
		return n, "cgroup /" + f
	}
	return 0, ""
}
