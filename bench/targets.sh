#!/usr/bin/env bash
# targets.sh measures every row of issue 10's targets table against one
# overlook binary (and, with JAEGER=path, Jaeger v2 + Badger on the same load)
# and prints the rows as a Markdown table of medians. The same command runs
# before and after a change: only the binary differs.
#
#   make build && cp bin/overlook /tmp/overlook-before
#   bench/targets.sh /tmp/overlook-before /tmp/targets-before
#   JAEGER=bench/jaeger/bin/jaeger bench/targets.sh /tmp/overlook-before /tmp/targets-before
#
# Environment (defaults in brackets):
#   RUNS [3]          runs of each 60 s load; the table gives their median
#   DURATION [60s]    length of each load run
#   SPANS [5000000]   spans the loader writes (dated over 24 h) for trace by ID
#                     and the 24 h queries; the issue's target is at 50000000
#   LOOKUPS [500]     trace-by-ID lookups after the loader
#   QUERY_RUNS [5]    timed runs of each API query (after a warm-up)
#   JAEGER []         a Jaeger v2 binary (bench/jaeger/README.md): adds its column
#   STEPS [ten shop logs paced loader queries promql memcap jaeger]
#                     the steps to run; a step whose output is already in OUT
#                     is not rerun (delete the files to measure again)
# Output: OUT (default a new /tmp/overlook-targets-* dir) holds every run's
# JSON report and log; the table goes to stdout and OUT/table.md.
set -euo pipefail

if [[ $# -lt 1 || ! -x $1 ]]; then
	echo "usage: bench/targets.sh OVERLOOK_BINARY [OUT_DIR]  (see the comment at the top)" >&2
	exit 2
fi
BIN=$(realpath "$1")
OUT=${2:-$(mktemp -d /tmp/overlook-targets-XXXXXX)}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
RUNS=${RUNS:-3}
DURATION=${DURATION:-60s}
SPANS=${SPANS:-5000000}
LOOKUPS=${LOOKUPS:-500}
QUERY_RUNS=${QUERY_RUNS:-5}
JAEGER=${JAEGER:-}
STEPS=${STEPS:-ten shop logs paced loader queries promql memcap jaeger}
cd "$(dirname "$0")/.."

log() { echo "$(date -u +%H:%M:%S) targets: $*" >&2; }
want() { [[ " $STEPS " == *" $1 "* ]]; }

export CGO_ENABLED=1
go build -o "$OUT/ingest" ./bench/ingest
go build -o "$OUT/query" ./bench/query

# runs NAME ARGS...: RUNS runs of bench/ingest, each report in OUT/NAME-i.json.
runs() {
	local name=$1
	shift
	for i in $(seq "$RUNS"); do
		if [[ -s $OUT/$name-$i.json ]]; then continue; fi
		log "$name run $i/$RUNS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
		if ! "$OUT/ingest" "$@" -json >"$OUT/$name-$i.json.tmp" 2>"$OUT/$name-$i.log"; then
			log "$name run $i failed: see $OUT/$name-$i.log"
			continue
		fi
		mv "$OUT/$name-$i.json.tmp" "$OUT/$name-$i.json"
	done
}

# med NAME JQ_EXPR: the median (and range) of a number over NAME's runs.
med() {
	local files=("$OUT/$1"-[0-9]*.json)
	[[ -s ${files[0]} ]] || {
		echo "—"
		return
	}
	jq -rs "map($2) | sort | if length == 0 then \"—\" else
		(.[(length-1)/2|floor]) as \$m | if length > 1 then \"\(\$m) (\(.[0])–\(.[-1]))\" else \"\(\$m)\" end end" "${files[@]}"
}

# medraw NAME JQ_EXPR: the bare median.
medraw() {
	jq -rs "map($2) | sort | .[(length-1)/2|floor]" "$OUT/$1"-[0-9]*.json
}

T='.signals[0]'
if want ten; then runs ten -binary "$BIN" -signal traces -shape ten -duration "$DURATION" -trace-lookups 200; fi
if want shop; then runs shop -binary "$BIN" -signal traces -duration "$DURATION" -trace-lookups 0; fi
if want logs; then runs logs -binary "$BIN" -signal logs -duration "$DURATION" -trace-lookups 0; fi
if want paced && ls "$OUT"/ten-[0-9]*.json >/dev/null 2>&1; then
	RATE=$(medraw ten "$T.rows_per_s * 0.8 | floor")
	echo "$RATE" >"$OUT/paced-rate.txt"
	runs paced -binary "$BIN" -signal traces -shape ten -rate "$RATE" -concurrency 16 -duration "$DURATION" -trace-lookups 0
fi
if want loader && [[ ! -s $OUT/loader.json ]]; then
	log "loader: $SPANS spans dated over 24 h into $OUT/load, then $LOOKUPS lookups"
	rm -rf "$OUT/load"
	"$OUT/ingest" -binary "$BIN" -signal traces -rows "$SPANS" -spread 24h -data "$OUT/load" \
		-trace-lookups "$LOOKUPS" -json >"$OUT/loader.json" 2>"$OUT/loader.log" || log "loader failed: see $OUT/loader.log"
fi
if want queries && [[ -d $OUT/load && ! -s $OUT/queries.md ]]; then
	log "queries over $OUT/load"
	"$OUT/query" -binary "$BIN" -data "$OUT/load" -runs "$QUERY_RUNS" >"$OUT/queries.md" 2>"$OUT/queries.log" ||
		log "queries failed: see $OUT/queries.log"
fi
if want promql && [[ ! -s $OUT/promql.md ]]; then
	log "promql: 24 h x 1k series into $OUT/prom (once), then the queries"
	mkdir -p "$OUT/prom"
	"$OUT/query" -binary "$BIN" -data "$OUT/prom" -sources "" -metrics -runs "$QUERY_RUNS" >"$OUT/promql.md" 2>"$OUT/promql.log" ||
		log "promql failed: see $OUT/promql.log"
fi
# memcap: the server in a 512 MiB memory cgroup (v1, as root) with
# GOMEMLIMIT=460MiB, offered 3x the -shape ten capacity by 24 exporters for
# DURATION; one cgroup per run, its OOM kills and peak usage kept beside the
# report (OUT/memcap-i.cgroup).
if want memcap && ls "$OUT"/ten-[0-9]*.json >/dev/null 2>&1; then
	OVER=$(medraw ten "$T.rows_per_s * 3 | floor")
	for i in $(seq "$RUNS"); do
		if [[ -s $OUT/memcap-$i.json ]]; then continue; fi
		CG=/sys/fs/cgroup/memory/overlook-targets-$$-$i
		if ! mkdir "$CG" 2>/dev/null; then
			log "memcap: cannot create the memory cgroup $CG (needs root and cgroup v1): skipped"
			break
		fi
		echo $((512 << 20)) >"$CG/memory.limit_in_bytes"
		if [[ -f $CG/memory.memsw.limit_in_bytes ]]; then echo $((512 << 20)) >"$CG/memory.memsw.limit_in_bytes"; fi
		printf '#!/bin/sh
echo $$ > %s/cgroup.procs && GOMEMLIMIT=460MiB exec %s "$@"
' "$CG" "$BIN" >"$OUT/memcap-launch.sh"
		chmod +x "$OUT/memcap-launch.sh"
		log "memcap run $i/$RUNS: $OVER spans/s offered (load average $(cut -d' ' -f1-3 /proc/loadavg))"
		if "$OUT/ingest" -binary "$OUT/memcap-launch.sh" -signal traces -shape ten -rate "$OVER" -concurrency 24 \
			-duration "$DURATION" -trace-lookups 0 -json >"$OUT/memcap-$i.json.tmp" 2>"$OUT/memcap-$i.log"; then
			mv "$OUT/memcap-$i.json.tmp" "$OUT/memcap-$i.json"
		else
			log "memcap run $i failed (OOM kill?): see $OUT/memcap-$i.log"
		fi
		{
			echo "oom_kill $(awk '$1 == "oom_kill" {print $2}' "$CG/memory.oom_control")"
			echo "max_usage_mib $(($(cat "$CG/memory.max_usage_in_bytes") >> 20))"
			echo "failcnt $(cat "$CG/memory.failcnt")"
		} >"$OUT/memcap-$i.cgroup"
		sleep 1
		rmdir "$CG" || log "memcap: could not remove $CG"
	done
fi
if want jaeger && [[ -n $JAEGER ]]; then
	runs jaeger-ten -jaeger "$(realpath "$JAEGER")" -signal traces -shape ten -duration "$DURATION" -trace-lookups 200
	runs jaeger-shop -jaeger "$(realpath "$JAEGER")" -signal traces -duration "$DURATION" -trace-lookups 0
fi

# The table.
S='.server'
D='.disk'
mib='/ 1048576 | floor'
qrow() { # qrow FILE PATTERN: median and server CPU of one API measurement
	[[ -s $1 ]] && grep -F "$2" "$1" | head -1 | awk -F'|' '{gsub(/ /,"",$3); gsub(/ /,"",$5); printf "%s (server CPU %s)", $3, $5}' || echo "—"
}
L='.trace_lookups'
loader() { [[ -s $OUT/loader.json ]] && jq -r "$1" "$OUT/loader.json" || echo "—"; }
{
	echo "Binary: $BIN; $(date -u +%Y-%m-%dT%H:%MZ); RUNS=$RUNS × $DURATION; $(nproc) CPUs."
	echo "Other processes' CPU during the ten/shop/logs runs (cores, median): $(med ten '.conditions.other_processes_cores') / $(med shop '.conditions.other_processes_cores') / $(med logs '.conditions.other_processes_cores')."
	echo "Host speed during the ten/shop/logs runs (bench/ingest's calibration before each load, ms; lower is faster): $(med ten '.conditions.calibration_ms[0]') / $(med shop '.conditions.calibration_ms[0]') / $(med logs '.conditions.calibration_ms[0]')."
	echo
	echo "| row | target | overlook: median (range) | Jaeger v2 + Badger |"
	echo "|---|---|---|---|"
	echo "| spans/s stored, issue 10's load (\`-shape ten\`) | ≥ 90k | $(med ten "$T.rows_per_s") | $(med jaeger-ten "$T.rows_per_s") |"
	echo "| spans/s stored, bench/ingest's data | ≥ 100k | $(med shop "$T.rows_per_s") | $(med jaeger-shop "$T.rows_per_s") |"
	echo "| log records/s, bench/ingest's data | ≥ 150k | $(med logs "$T.rows_per_s") | — |"
	echo "| CPU ms per 1k stored spans (\`-shape ten\`) | ≤ 20 | $(med ten "$S.cpu_ms_per_1k_rows") | $(med jaeger-ten "$S.cpu_ms_per_1k_rows") |"
	echo "| CPU ms per 1k stored spans (bench/ingest's data) | ≤ 20 | $(med shop "$S.cpu_ms_per_1k_rows") | $(med jaeger-shop "$S.cpu_ms_per_1k_rows") |"
	echo "| CPU ms per 1k log records | — | $(med logs "$S.cpu_ms_per_1k_rows") | — |"
	echo "| at 80% of capacity ($(cat "$OUT/paced-rate.txt" 2>/dev/null || echo '?') spans/s offered, \`-shape ten\`): spans/s acked | — | $(med paced "$T.rows_per_s") | — |"
	echo "| … seconds without an acknowledgement | 0 | $(med paced "$T.stall_seconds") | — |"
	echo "| … longest time without an acknowledgement, ms | ≤ 500 | $(med paced "$T.max_ack_gap_ms") | — |"
	echo "| … gaps over 500 ms | 0 | $(med paced "$T.ack_gaps_over_500ms") | — |"
	echo "| … slowest 1 s window, spans | — | $(med paced "$T.per_second_min") | — |"
	echo "| seconds without an acknowledgement at max ingest (\`-shape ten\`) | — | $(med ten "$T.stall_seconds") | $(med jaeger-ten "$T.stall_seconds") |"
	echo "| longest time without an acknowledgement at max ingest, ms | — | $(med ten "$T.max_ack_gap_ms") | $(med jaeger-ten "$T.max_ack_gap_ms") |"
	echo "| bytes on disk per span after a clean stop (bench/ingest's data) | ≤ 50 | $(med shop "$D.bytes_per_row_after_stop") | $(med jaeger-shop "$D.bytes_per_row_after_stop") |"
	echo "| bytes on disk per span after a clean stop (\`-shape ten\`) | — | $(med ten "$D.bytes_per_row_after_stop") | $(med jaeger-ten "$D.bytes_per_row_after_stop") |"
	echo "| bytes on disk per log record after a clean stop | ≤ 80 | $(med logs "$D.bytes_per_row_after_stop") | — |"
	echo "| peak RSS at max ingest, MiB (\`-shape ten\`) | ≤ 400 | $(med ten "$S.peak_rss_bytes $mib") | $(med jaeger-ten "$S.peak_rss_bytes $mib") |"
	echo "| peak RSS at max ingest, MiB (bench/ingest spans / logs) | ≤ 400 | $(med shop "$S.peak_rss_bytes $mib") / $(med logs "$S.peak_rss_bytes $mib") | $(med jaeger-shop "$S.peak_rss_bytes $mib") / — |"
	echo "| trace by ID p50 / p99 ms after each $DURATION run (\`-shape ten\`, 200 lookups) | — | $(med ten "$L.p50_ms") / $(med ten "$L.p99_ms") | $(med jaeger-ten "$L.p50_ms") / $(med jaeger-ten "$L.p99_ms") |"
	echo "| trace by ID p50 / p99 ms at $(loader '.signals[0].acked_rows') spans (loader, $(loader "$L.lookups") lookups, $(loader "$L.not_found + $L.wrong_span_count + $L.errors") wrong) | ≤ 5 / ≤ 20 at 50M | $(loader "$L.p50_ms") / $(loader "$L.p99_ms") | — |"
	echo "| search last hour (traces, no filter) at $(loader '.signals[0].acked_rows') spans over 24 h | ≤ 300 ms at 50M | $(qrow "$OUT/queries.md" 'search last hour, no filter') | — |"
	echo "| count by service over 24 h (traces) | ≤ 300 ms at 50M | $(qrow "$OUT/queries.md" 'count by ServiceName over 24 h (table)') | — |"
	echo "| PromQL \`sum by (job)(rate(x_total[5m]))\`, 24 h × 1k series, step 60 s | ≤ 250 ms | $(qrow "$OUT/promql.md" 'step 60 s') | — |"
	echo "| … step 5 m | — | $(qrow "$OUT/promql.md" 'step 5 m') | — |"
	if ls "$OUT"/memcap-[0-9]*.cgroup >/dev/null 2>&1; then
		kills=$(awk '$1 == "oom_kill" {printf "%s%s", sep, $2; sep=", "}' "$OUT"/memcap-[0-9]*.cgroup)
		usage=$(awk '$1 == "max_usage_mib" {printf "%s%s", sep, $2; sep=", "}' "$OUT"/memcap-[0-9]*.cgroup)
		echo "| 512 MiB cgroup, GOMEMLIMIT=460MiB, 3× overload ($(medraw ten "$T.rows_per_s * 3 | floor") spans/s offered, 24 exporters): OOM kills per run | 0 | $kills (cgroup peak usage $usage MiB) | — |"
		echo "| … spans/s acknowledged / refused attempts (retried) / rows given up after retrying 1 min / rows still retrying at the end | — | $(med memcap "$T.rows_per_s") / $(med memcap "$T.refused_attempts") / $(med memcap "$T.failed_rows") / $(med memcap "$T.abandoned_rows") | — |"
		echo "| … rows stored − rows acknowledged (every acknowledged row stored once) | 0 | $(med memcap "$T.rows_in_store - $T.acked_rows") | — |"
		echo "| … server VmHWM, MiB | — | $(med memcap "$S.peak_rss_bytes $mib") | — |"
	fi
} | tee "$OUT/table.md"
log "reports, logs and table in $OUT"
