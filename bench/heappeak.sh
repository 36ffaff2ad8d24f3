#!/usr/bin/env bash
# heappeak.sh runs one bench/ingest load against an overlook binary with Go's
# profiles on (OVERLOOK_PPROF_ADDR) and keeps the heap profile and MemStats
# taken at the server's highest VmRSS (sampled every 2 s): what is live on the
# Go heap at the peak (docs/benchmarks.md, "Issue 10: ingest memory and logs/s").
#
#   bench/heappeak.sh BIN OUT_DIR [SIGNAL traces|logs] [SHAPE shop|ten] [DURATION 40s]
#   go tool pprof -sample_index=inuse_space -top BIN OUT_DIR/heap.pb.gz
set -euo pipefail
if [[ $# -lt 2 || ! -x $1 ]]; then
	echo "usage: bench/heappeak.sh OVERLOOK_BINARY OUT_DIR [SIGNAL] [SHAPE] [DURATION]" >&2
	exit 2
fi
BIN=$(realpath "$1")
OUT=$2
SIG=${3:-traces}
SHAPE=${4:-shop}
DUR=${5:-40s}
mkdir -p "$OUT"
cd "$(dirname "$0")/.."
CGO_ENABLED=1 go build -o "$OUT/ingest" ./bench/ingest
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
OVERLOOK_PPROF_ADDR=127.0.0.1:$PORT "$OUT/ingest" -binary "$BIN" -signal "$SIG" -shape "$SHAPE" \
	-duration "$DUR" -trace-lookups 0 -json >"$OUT/report.json" 2>"$OUT/ingest.log" &
IP=$!
max=0
while kill -0 "$IP" 2>/dev/null; do
	sleep 2
	pid=$(pgrep -P "$IP" | head -1 || true)
	[[ -z $pid ]] && continue
	rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
	[[ -z $rss || $rss -le $max ]] && continue
	if curl -sf -o "$OUT/heap.tmp" "http://127.0.0.1:$PORT/debug/pprof/heap?gc=0"; then
		max=$rss
		mv "$OUT/heap.tmp" "$OUT/heap.pb.gz"
		curl -sf "http://127.0.0.1:$PORT/debug/pprof/heap?debug=1" | grep -E '^# [A-Z]' >"$OUT/memstats" || true
	fi
done
wait "$IP"
echo "highest VmRSS sampled: $((max / 1024)) MiB"
jq -c '{rows_per_s: .signals[0].rows_per_s, cpu_ms_per_1k: .server.cpu_ms_per_1k_rows,
	peak_rss_mib: (.server.peak_rss_bytes / 1048576 | floor), other_cores: .conditions.other_processes_cores}' "$OUT/report.json"
