#!/usr/bin/env bash
# pairingmem.sh measures the memory the service graph's pairing store
# takes at a paced span rate (docs/benchmarks.md, "Issue 12: TraceQL and
# generator cost"): the same bench/ingest load (-rate RATE, -shape ten)
# against the same binary in three modes, each on a fresh data dir:
#
#   off    the connectors off (--set 'service::pipelines::traces::exporters=[overlook]')
#   on     the default configuration (store::max_items 10000)
#   big    the default with --set 'connectors::service_graph::store::max_items=MAX_ITEMS'
#          (a store large enough to hold every unpaired edge at RATE)
#
# During the load it samples the server's /metrics every 2 s
# (go_memstats_heap_inuse_bytes, process_resident_memory_bytes) and after
# it reads the pairing counters (traces_service_graph_dropped_spans_total,
# traces_service_graph_unpaired_spans_total) through /prometheus.
#
#   make build && bench/pairingmem.sh bin/overlook [OUT_DIR]
#
# Environment (defaults in brackets): RATE [50000] DURATION [60s]
# MAX_ITEMS [300000] CONCURRENCY [8] MODES ["off on big"].
set -euo pipefail

if [[ $# -lt 1 || ! -x $1 ]]; then
	echo "usage: bench/pairingmem.sh OVERLOOK_BINARY [OUT_DIR]  (see the comment at the top)" >&2
	exit 2
fi
BIN=$(realpath "$1")
OUT=${2:-$(mktemp -d /tmp/overlook-pairingmem-XXXXXX)}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
RATE=${RATE:-50000}
DURATION=${DURATION:-60s}
MAX_ITEMS=${MAX_ITEMS:-300000}
CONCURRENCY=${CONCURRENCY:-8}
MODES=${MODES:-off on big}
cd "$(dirname "$0")/.."
export CGO_ENABLED=1
go build -o "$OUT/ingest" ./bench/ingest

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
metric() { # metric API NAME → value
	curl -fsS "http://$1/metrics" | awk -v n="$2" '$1 == n {print $2}'
}
promq() { # promq API QUERY → value of the first sample (or 0)
	curl -fsS "http://$1/prometheus/api/v1/query" --data-urlencode "query=$2" |
		jq -r '.data.result[0].value[1] // "0"'
}

echo "| mode | spans/s acked | heap in use MiB, median (max) | RSS MiB, median (max) | dropped spans | unpaired (expired) edges |"
echo "|---|---:|---:|---:|---:|---:|"
for mode in $MODES; do
	dir="$OUT/$mode"
	rm -rf "$dir"
	mkdir -p "$dir"
	g=127.0.0.1:$(port) h=127.0.0.1:$(port) a=127.0.0.1:$(port)
	cat >"$dir/bench.yaml" <<EOF
extensions:
  overlook:
    http:
      endpoint: $a
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: $g
      http:
        endpoint: $h
EOF
	sets=()
	case $mode in
	off) sets=(--set 'service::pipelines::traces::exporters=[overlook]') ;;
	big) sets=(--set "connectors::service_graph::store::max_items=$MAX_ITEMS") ;;
	esac
	"$BIN" serve --config "$dir/bench.yaml" --data "$dir/data" "${sets[@]}" >"$dir/overlook.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 300); do
		curl -fsS "http://$a/ready" >/dev/null 2>&1 && break
		sleep 0.2
	done
	echo "$(date -u +%H:%M:%S) pairingmem: $mode" >&2
	"$OUT/ingest" -target "$g" -api "$a" -signal traces -shape ten -rate "$RATE" -duration "$DURATION" \
		-concurrency "$CONCURRENCY" -trace-lookups 0 -progress 0 -json >"$dir/ingest.json" &
	load=$!
	: >"$dir/samples"
	while kill -0 "$load" 2>/dev/null; do
		echo "$(metric "$a" go_memstats_heap_inuse_bytes) $(metric "$a" process_resident_memory_bytes)" >>"$dir/samples"
		sleep 2
	done
	wait "$load"
	sleep 17 # a metrics flush (15 s) after the last edges expired (ttl 10 s)
	dropped=$(promq "$a" 'max(traces_service_graph_dropped_spans_total)')
	unpaired=$(promq "$a" 'max(traces_service_graph_unpaired_spans_total)')
	kill -INT "$pid"
	wait "$pid" || true
	# Steady state: the second half of the samples.
	n=$(wc -l <"$dir/samples")
	tail -n $((n / 2)) "$dir/samples" >"$dir/steady"
	med() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
	heap=$(awk '{print $1/1048576}' "$dir/steady" | med)
	heapmax=$(awk '{print $1/1048576}' "$dir/samples" | sort -g | tail -1)
	rss=$(awk '{print $2/1048576}' "$dir/steady" | med)
	rssmax=$(awk '{print $2/1048576}' "$dir/samples" | sort -g | tail -1)
	rps=$(jq -r '.signals[0].rows_per_s | round' "$dir/ingest.json")
	printf '| %s | %s | %.0f (%.0f) | %.0f (%.0f) | %s | %s |\n' "$mode" "$rps" "$heap" "$heapmax" "$rss" "$rssmax" "$dropped" "$unpaired"
	rm -rf "$dir/data"
done | tee "$OUT/table.md"
