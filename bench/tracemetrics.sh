#!/usr/bin/env bash
# tracemetrics.sh measures what span metrics and the service graph cost at
# ingest (docs/benchmarks.md, "Span metrics and service graph"): the same
# bench/ingest load against the same binary with the connectors on (the
# default configuration) and off (--set
# 'service::pipelines::traces::exporters=[overlook]'), the modes alternated
# ROUNDS times so that both see the same machine, and the on/off ratio of
# the medians of spans/s and of the server's CPU ms per 1000 spans.
#
#   make build && bench/tracemetrics.sh bin/overlook [OUT_DIR]
#
# Environment (defaults in brackets):
#   ROUNDS [3]        off/on pairs (the first mode alternates per round)
#   DURATION [30s]    length of each load run
#   SHAPE [ten]       bench/ingest -shape: ten (10 spans a trace) or shop
#   CONCURRENCY [4]   exporters
#   RATE [0]          offered spans/s (0: closed loop, as fast as answered)
# Output: OUT (default a new /tmp/overlook-tracemetrics-* dir) holds each
# run's JSON report; the table goes to stdout and OUT/table.md.
set -euo pipefail

if [[ $# -lt 1 || ! -x $1 ]]; then
	echo "usage: bench/tracemetrics.sh OVERLOOK_BINARY [OUT_DIR]  (see the comment at the top)" >&2
	exit 2
fi
BIN=$(realpath "$1")
OUT=${2:-$(mktemp -d /tmp/overlook-tracemetrics-XXXXXX)}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-30s}
SHAPE=${SHAPE:-ten}
CONCURRENCY=${CONCURRENCY:-4}
RATE=${RATE:-0}
cd "$(dirname "$0")/.."

export CGO_ENABLED=1
go build -o "$OUT/ingest" ./bench/ingest

run() { # run MODE ROUND
	local mode=$1 i=$2 sets=()
	[[ $mode == off ]] && sets=(-server-set 'service::pipelines::traces::exporters=[overlook]')
	echo "$(date -u +%H:%M:%S) tracemetrics: $mode, round $i" >&2
	"$OUT/ingest" -binary "$BIN" "${sets[@]}" -signal traces -shape "$SHAPE" -duration "$DURATION" \
		-concurrency "$CONCURRENCY" -rate "$RATE" -trace-lookups 0 -progress 0 -json >"$OUT/$mode-$i.json"
}
for i in $(seq 1 "$ROUNDS"); do
	if ((i % 2)); then run off "$i"; run on "$i"; else run on "$i"; run off "$i"; fi
done

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { # field MODE JQ → one value per run
	for f in "$OUT/$1"-*.json; do jq -r "$2" "$f"; done
}
{
	echo "| mode | spans/s (runs) | median | server CPU ms / 1000 spans (runs) | median | peak RSS MiB, median | other processes, cores |"
	echo "|---|---|---|---|---|---|---|"
	for m in off on; do
		rps=$(field $m '.signals[0].rows_per_s | round' | paste -sd, - | sed 's/,/, /g')
		cpu=$(field $m '.server.cpu_ms_per_1k_rows * 10 | round / 10' | paste -sd, - | sed 's/,/, /g')
		echo "| $m | $rps | $(field $m '.signals[0].rows_per_s' | median | xargs printf %.0f) | $cpu | $(field $m '.server.cpu_ms_per_1k_rows' | median | xargs printf %.1f) | $(field $m '.server.peak_rss_bytes / 1048576' | median | xargs printf %.0f) | $(field $m '.conditions.other_processes_cores' | median | xargs printf %.2f) |"
	done
	on_rps=$(field on '.signals[0].rows_per_s' | median); off_rps=$(field off '.signals[0].rows_per_s' | median)
	on_cpu=$(field on '.server.cpu_ms_per_1k_rows' | median); off_cpu=$(field off '.server.cpu_ms_per_1k_rows' | median)
	echo
	awk -v a="$on_rps" -v b="$off_rps" -v c="$on_cpu" -v d="$off_cpu" 'BEGIN {
		printf "on/off: spans/s %+.1f %%, server CPU per span %+.1f %%\n", (a / b - 1) * 100, (c / d - 1) * 100 }'
	# Paired: each round's on/off ratio (both runs back to back).
	printf 'per round, on/off CPU per span:'
	for i in $(seq 1 "$ROUNDS"); do
		jq -rn --slurpfile on "$OUT/on-$i.json" --slurpfile off "$OUT/off-$i.json" \
			'" \((($on[0].server.cpu_ms_per_1k_rows / $off[0].server.cpu_ms_per_1k_rows - 1) * 1000 | round) / 10)%"' | tr -d '\n'
	done
	echo
} | tee "$OUT/table.md"
