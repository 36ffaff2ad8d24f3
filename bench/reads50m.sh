#!/usr/bin/env bash
# reads50m.sh measures issue 10's read targets at 50M spans — trace by ID
# (p50 ≤ 5 ms, p99 ≤ 20 ms), search last hour and count by service over
# 24 h (≤ 300 ms) — through the HTTP API of one or more overlook binaries
# over the same data dir, and trace by ID again while spans are ingested.
#
#   make build && bench/reads50m.sh /tmp/perf50m bin/overlook [OTHER_BINARY ...]
#
# The data (SPANS spans, default 50,000,000, of bench/ingest's shop, dated
# evenly over the 24 h before the load) is written once into DIR by the
# store in-process (bench/ingest -raw: no gRPC, so it takes ≈ 20–35 min on
# the 2-core machine instead of hours) and reused while DIR exists. With
# several binaries, ROUNDS rounds (default 2) run them in turn (A/B
# interleaved); each report goes to DIR.reports/<binary>-<round>.md.
#
# Environment: SPANS [50000000], LOOKUPS [500], RUNS [5] timed runs per
# query, ROUNDS [2], INGEST_RATE [10000] spans/s offered during the second
# set of lookups (0: skip it), TRACE_PASSES [1] passes over the sampled IDs
# (more than 1: the first is an untimed warm-up). A binary older than the data's format must
# still read it (parts written by newer binaries carry extra index fields
# older ones ignore).
set -euo pipefail

if [[ $# -lt 2 ]]; then
	echo "usage: bench/reads50m.sh DATA_DIR OVERLOOK_BINARY [OVERLOOK_BINARY ...]" >&2
	exit 2
fi
DIR=$1
shift
SPANS=${SPANS:-50000000}
LOOKUPS=${LOOKUPS:-500}
RUNS=${RUNS:-5}
ROUNDS=${ROUNDS:-2}
INGEST_RATE=${INGEST_RATE:-10000}
TRACE_PASSES=${TRACE_PASSES:-1}
cd "$(dirname "$0")/.."
log() { echo "$(date -u +%H:%M:%S) reads50m: $*" >&2; }

export CGO_ENABLED=1
mkdir -p "$DIR.reports"
go build -o "$DIR.reports/ingest" ./bench/ingest
go build -o "$DIR.reports/query" ./bench/query
if [[ ! -d $DIR/parts ]]; then
	log "loading $SPANS spans dated over 24 h into $DIR (load average $(cut -d' ' -f1-3 /proc/loadavg))"
	/usr/bin/time -v "$DIR.reports/ingest" -raw -signal traces -rows "$SPANS" -spread 24h -data "$DIR" \
		-trace-lookups "$LOOKUPS" -progress 60s -json >"$DIR.reports/loader.json" 2>"$DIR.reports/loader.log"
fi
ingest=()
if [[ $INGEST_RATE -gt 0 ]]; then ingest=(-ingest-cmd "$DIR.reports/ingest" -ingest-rate "$INGEST_RATE"); fi
for r in $(seq "$ROUNDS"); do
	for bin in "$@"; do
		name=$(basename "$bin")
		log "$name round $r (load average $(cut -d' ' -f1-3 /proc/loadavg))"
		"$DIR.reports/query" -binary "$bin" -data "$DIR" -runs "$RUNS" -trace-lookups "$LOOKUPS" -trace-passes "$TRACE_PASSES" "${ingest[@]}" \
			>"$DIR.reports/$name-$r.md" 2>"$DIR.reports/$name-$r.log" || log "$name round $r failed: see $DIR.reports/$name-$r.log"
		cat "$DIR.reports/$name-$r.md"
	done
done
