#!/usr/bin/env bash
# promql-ab.sh compares two overlook binaries on issue 10's PromQL query
# (sum by (job)(rate(x_total[5m])) over 24 h × 1k series) with both servers
# running side by side over copies of one data dir and the requests
# alternated A B, B A, … — so that both see the same machine load, which on a
# shared machine moves CPU per query by ±50 % within minutes. It prints each
# server's median CPU (utime+stime around each request, /proc/PID/stat) and
# wall per query, and the median of the per-pair ratios to the first server.
# The first answers of the two servers must be byte-equal.
#
#   bench/promql-ab.sh BIN_A BIN_B DATA [PAIRS] [STEP_SECONDS]
#
# DATA holds the metrics of bench/query -metrics (bench-promql-end.txt); it
# is never written (each server gets a copy under $TMPDIR). Set
# OVERLOOK_PPROF_ADDR_A / _B to serve Go's profiles of a server there.
# AB_SERVE_ARGS is added to both servers' command line, e.g.
# '--set extensions::overlook::query::promql_cache_bytes=0' to measure
# every evaluation instead of the results cache's answers.
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2,19p' "$0"; exit 2; }
A=$1 B=$2 DATA=$3 PAIRS=${4:-16} STEP=${5:-60}
W=$(mktemp -d "${TMPDIR:-/tmp}/promql-ab.XXXXXX")
cleanup() { # the servers' PIDs are in $W/*.pid (start runs in a subshell)
  for f in "$W"/*.pid; do [[ -e $f ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  for f in "$W"/*.pid; do [[ -e $f ]] && while kill -0 "$(cat "$f")" 2>/dev/null; do sleep 0.2; done; done
  rm -rf "$W"
}
trap cleanup EXIT
free() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
start() { # name binary pprof-addr -> prints "api,pid"
  local n=$1 bin=$2 pp=$3 api
  cp -a "$DATA" "$W/$n-data"
  api=127.0.0.1:$(free)
  printf 'extensions:\n  overlook:\n    http:\n      endpoint: %s\nreceivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:%s\n      http:\n        endpoint: 127.0.0.1:%s\n' \
    "$api" "$(free)" "$(free)" > "$W/$n.yaml"
  OVERLOOK_PPROF_ADDR=$pp "$bin" serve --config "$W/$n.yaml" --data "$W/$n-data" ${AB_SERVE_ARGS:-} > "$W/$n.log" 2>&1 &
  echo $! > "$W/$n.pid"
  for _ in $(seq 1 600); do curl -sf "http://$api/ready" >/dev/null && break; sleep 0.2; done
  curl -sf "http://$api/ready" >/dev/null || { echo "$n did not start; log:" >&2; cat "$W/$n.log" >&2; exit 1; }
  echo "$api,$(cat "$W/$n.pid")"
}
a=$(start a "$A" "${OVERLOOK_PPROF_ADDR_A:-}")
b=$(start b "$B" "${OVERLOOK_PPROF_ADDR_B:-}")
echo "A = $A, B = $B, data $DATA, $PAIRS pairs, step $STEP s"
python3 - "$PAIRS" "$STEP" "$DATA/bench-promql-end.txt" "A=$a" "B=$b" <<'PY'
import sys, time, calendar, urllib.request, urllib.parse, statistics
n, step, marker = int(sys.argv[1]), sys.argv[2], sys.argv[3]
srvs = [(a.split("=")[0], a.split("=")[1].split(",")[0], int(a.split(",")[1])) for a in sys.argv[4:]]
end = calendar.timegm(time.strptime(open(marker).read().strip(), "%Y-%m-%dT%H:%M:%SZ"))
q = urllib.parse.urlencode({"query": "sum by (job) (rate(x_total[5m]))", "start": end - 86400, "end": end, "step": step})
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / 100.0  # USER_HZ
def get(api):
    return urllib.request.urlopen(f"http://{api}/prometheus/api/v1/query_range?{q}", timeout=300).read()
first = [get(api) for _, api, _ in srvs]  # warm-up
assert first[0] == first[1], "the two servers' answers differ"
res = {s[0]: ([], []) for s in srvs}
loads = []
for i in range(n):
    for name, api, pid in (srvs if i % 2 == 0 else srvs[::-1]):
        c0, t0 = cpu(pid), time.perf_counter()
        get(api)
        res[name][0].append((time.perf_counter() - t0) * 1000)
        res[name][1].append((cpu(pid) - c0) * 1000)
    loads.append(float(open("/proc/loadavg").read().split()[0]))
wa, ca = res["A"]
for name, _, _ in srvs:
    w, c = res[name]
    cr = statistics.median([x / y for x, y in zip(c, ca) if y > 0])
    wr = statistics.median([x / y for x, y in zip(w, wa)])
    print(f"{name}: CPU per query median {statistics.median(c):.0f} ms, wall median {statistics.median(w):.0f} ms "
          f"(min {min(w):.0f}); median pair ratio to A: CPU {cr:.3f}, wall {wr:.3f}")
print(f"load average during the pairs: median {statistics.median(loads):.2f} (min {min(loads):.2f}, max {max(loads):.2f})")
PY
