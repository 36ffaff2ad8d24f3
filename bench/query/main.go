// Command query benchmarks overlook's read path on the embedded DuckDB
// store: it generates N spans and N logs over 24 hours straight into a
// store's database (see gen.go), then times searches, charts, trace by ID
// and value discovery through the store's own API, and (with -alt) the
// attribute layouts a chart's map lookup could use instead of MAP.
//
//	go run ./bench/query -spans 10000000 -logs 10000000 -runs 5 -alt
//
// It prints a Markdown table of medians (docs/benchmarks.md, "Query").
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

func main() {
	spans := flag.Int64("spans", 10_000_000, "spans to generate")
	logs := flag.Int64("logs", 10_000_000, "log records to generate")
	runs := flag.Int("runs", 5, "timed runs per measurement (after one warm-up run)")
	dir := flag.String("dir", "", "data directory (default: a new temporary one, removed afterwards)")
	reuse := flag.Bool("reuse", false, "reuse the data in -dir instead of generating it")
	alt := flag.Bool("alt", false, "also time attribute layouts other than MAP (MAP, column, JSON, LIST pairs)")
	only := flag.String("only", "", "run only measurements whose name contains this")
	binary := flag.String("binary", "", "API mode: start this overlook `binary` over -data and time its HTTP API (see api.go)")
	apiAddr := flag.String("api", "", "API mode: time the HTTP API of a running server at `host:port`")
	data := flag.String("data", "", "API mode with -binary: the data `dir` (e.g. written by bench/ingest -rows N -spread 24h -data DIR)")
	sources := flag.String("sources", "traces", "API mode: comma-separated sources to query (traces, logs)")
	end := flag.String("end", "", "API mode: RFC 3339 end of the time ranges (default: with -data, just after the data's newest row, read from its parts' index files; otherwise now)")
	promqlParts := flag.Int("promql-parts", 0, "API mode: the server's query::promql_parts (1: PromQL range queries evaluated whole; 0: its default)")
	metrics := flag.Bool("metrics", false, "API mode with -binary: also time PromQL sum by (job)(rate(x_total[5m])) over 24 h × 1k series, "+
		"sending those 5.76M points over OTLP first unless -data already has them")
	tracePasses := flag.Int("trace-passes", 1, "API mode with -trace-lookups: look the sampled IDs up this many times in a row; with more than one, the first pass is a warm-up (not timed: the server's part files opened) and the others are timed")
	traceLookups := flag.Int("trace-lookups", 0, "API mode: also time GET /api/traces/{id} for this many trace IDs sampled (by searches) from the 24 h before the end")
	ingestCmd := flag.String("ingest-cmd", "", "API mode with -binary and -trace-lookups: time the lookups again while this bench/ingest `binary` offers -ingest-rate spans/s to the server")
	ingestRate := flag.Int("ingest-rate", 10000, "with -ingest-cmd: spans/s offered during the lookups")
	flag.Parse()
	if *binary != "" || *apiAddr != "" {
		o := apiOptions{binary: *binary, api: *apiAddr, data: *data, runs: *runs, sources: strings.Split(*sources, ","), only: *only, end: time.Now(), metrics: *metrics, promqlParts: *promqlParts,
			traceLookups: *traceLookups, tracePasses: *tracePasses, ingestCmd: *ingestCmd, ingestRate: *ingestRate}
		var err error
		switch {
		case *binary != "" && *apiAddr != "":
			err = fmt.Errorf("give -binary or -api, not both")
		case *binary != "" && *data == "":
			err = fmt.Errorf("-binary needs -data (the data dir to open)")
		case *metrics && *binary == "":
			err = fmt.Errorf("-metrics needs -binary (the data is loaded through the server it starts)")
		case *runs <= 0:
			err = fmt.Errorf("-runs must be positive")
		case *tracePasses <= 0:
			err = fmt.Errorf("-trace-passes must be positive")
		case *end != "":
			o.end, err = time.Parse(time.RFC3339, *end)
		case *data != "":
			// The data's end, read before the server starts (it may
			// write parts of its own, e.g. during -ingest-cmd).
			var ok bool
			var e time.Time
			if e, ok, err = dataEnd(*data); ok {
				o.end, o.endFrom = e, "the newest row of the data"
			}
		}
		if err == nil {
			err = runAPI(o)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/query:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*spans, *logs, *runs, *dir, *reuse, *alt, *only); err != nil {
		fmt.Fprintln(os.Stderr, "bench/query:", err)
		os.Exit(1)
	}
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", a...)
}

func run(spans, logs int64, runs int, dir string, reuse, alt bool, only string) error {
	if spans <= 0 || logs <= 0 || runs <= 0 {
		return fmt.Errorf("-spans, -logs and -runs must be positive")
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "overlook-bench-query-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	ctx := context.Background()
	path := filepath.Join(dir, duckdb.FileName)
	metaPath := filepath.Join(dir, "bench-base.txt")
	var base time.Time
	if reuse {
		b, err := os.ReadFile(metaPath)
		if err != nil {
			return fmt.Errorf("-reuse: %w", err)
		}
		if base, err = time.Parse(time.RFC3339, strings.TrimSpace(string(b))); err != nil {
			return fmt.Errorf("-reuse: %w", err)
		}
	} else {
		base = time.Now().UTC().Truncate(time.Minute).Add(-24 * time.Hour)
		s, err := duckdb.Open(duckdb.Config{Dir: dir}, slog.New(slog.DiscardHandler))
		if err != nil {
			return err
		}
		if err := s.Close(); err != nil {
			return err
		}
		db, err := sql.Open("duckdb", path)
		if err != nil {
			return err
		}
		err = generate(ctx, db, spans, logs, base, logf)
		if err == nil { // the INSERTs leave the materialised attribute columns NULL
			t0 := time.Now()
			err = duckdb.FillMaterialized(ctx, db)
			logf("filled materialised columns in %v", time.Since(t0).Round(time.Millisecond))
		}
		_ = db.Close()
		if err != nil {
			return err
		}
		if err := os.WriteFile(metaPath, []byte(base.Format(time.RFC3339)), 0o644); err != nil {
			return err
		}
	}
	var results []result
	if alt {
		db, err := sql.Open("duckdb", path)
		if err != nil {
			return err
		}
		r, err := alternatives(ctx, db, runs, only)
		_ = db.Close()
		if err != nil {
			return err
		}
		results = append(results, r...)
	}
	s, err := duckdb.Open(duckdb.Config{Dir: dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := storeBench(ctx, s, base, runs, only)
	if err != nil {
		return err
	}
	results = append(r, results...)
	fmt.Printf("\n%d spans, %d logs over 24 h; median of %d runs after a warm-up run\n", spans, logs, runs)
	fmt.Printf("load average at the end: %s\n\n", loadAvg())
	fmt.Println("| measurement | median | range | CPU (median) | result |")
	fmt.Println("|---|---:|---|---:|---|")
	for _, r := range results {
		fmt.Printf("| %s | %s | %s–%s | %s | %s |\n", r.name, ms(r.median), ms(r.min), ms(r.max), ms(r.cpu), r.note)
	}
	return nil
}

type result struct {
	name             string
	median, min, max time.Duration
	cpu              time.Duration // median CPU time (user + system) of the process
	note             string
}

// cpuTime is the CPU time this process has used so far: unlike wall time
// it does not grow when other processes compete for the 2 cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is /proc/loadavg's first three fields: other work on the
// machine inflates wall times.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }

// measure runs f once to warm up, then runs times, and returns the median.
func measure(name string, runs int, f func() (string, error)) (result, error) {
	note, err := f()
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	var ds, cs []time.Duration
	for range runs {
		start, c0 := time.Now(), cpuTime()
		if _, err := f(); err != nil {
			return result{}, fmt.Errorf("%s: %w", name, err)
		}
		ds = append(ds, time.Since(start))
		cs = append(cs, cpuTime()-c0)
	}
	slices.Sort(ds)
	slices.Sort(cs)
	r := result{name: name, median: ds[len(ds)/2], min: ds[0], max: ds[len(ds)-1], cpu: cs[len(cs)/2], note: note}
	logf("%-70s %8s  cpu %8s  (%s)", name, ms(r.median), ms(r.cpu), note)
	return r, nil
}

// storeBench times the read path through the store's API.
func storeBench(ctx context.Context, s *duckdb.Store, base time.Time, runs int, only string) ([]result, error) {
	end := base.Add(24 * time.Hour)
	last15 := end.Add(-15 * time.Minute)
	search := func(src *schema.Source, q string) func() (string, error) {
		return func() (string, error) {
			n, err := query.Parse(q)
			if err != nil {
				return "", err
			}
			res, err := s.Search(ctx, store.SearchParams{Source: src, Filter: n, Start: last15, End: end})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d rows of %d", len(res.Rows), res.Count), nil
		}
	}
	chart := func(req query.ChartRequest) func() (string, error) {
		return func() (string, error) {
			res, err := s.Chart(ctx, store.ChartParams{Request: &req, Start: base, End: end})
			if err != nil {
				return "", err
			}
			pts := 0
			for _, s := range res.Series {
				pts += len(s.Points)
			}
			return fmt.Sprintf("%d series, %d points, %d queries", len(res.Series), pts, res.Meta.Queries), nil
		}
	}
	card := query.GroupByList{"SpanAttributes['app.payment.card_type']"}
	maxDur := []query.ChartSelect{{AggFn: "max", ValueExpression: "Duration"}}
	var traceID string
	cases := []struct {
		name string
		f    func() (string, error)
	}{
		{"search traces, last 15 min, no filter", search(&schema.TracesSource, "")},
		{"search traces, last 15 min, service:payment", search(&schema.TracesSource, "service:payment")},
		{"search logs, last 15 min, no filter", search(&schema.LogsSource, "")},
		{"search logs, last 15 min, level:error Visa", search(&schema.LogsSource, "level:error Visa")},
		{"chart traces 24 h: max(Duration) by card type, table", chart(query.ChartRequest{Source: "traces",
			DisplayType: "table", Select: maxDur, GroupBy: card})},
		{"chart traces 24 h: max(Duration) by card type, auto (15 min)", chart(query.ChartRequest{Source: "traces",
			Select: maxDur, GroupBy: card})},
		{"chart traces 24 h: max(Duration) where payment by card type (seed 001)", chart(query.ChartRequest{Source: "traces",
			Where: "ServiceName:payment", Select: maxDur, GroupBy: card})},
		{"chart traces 24 h: count per minute", chart(query.ChartRequest{Source: "traces", Granularity: "1 minute",
			Select: []query.ChartSelect{{AggFn: "count"}}})},
		{"chart logs 24 h: count per minute", chart(query.ChartRequest{Source: "logs", Granularity: "1 minute",
			Select: []query.ChartSelect{{AggFn: "count"}}})},
		{"chart logs 24 h: count per minute by level", chart(query.ChartRequest{Source: "logs", Granularity: "1 minute",
			Select: []query.ChartSelect{{AggFn: "count"}}, GroupBy: query.GroupByList{"SeverityText"}})},
		{"chart traces 24 h: p95(Duration) by ServiceName, top 10 + other", chart(query.ChartRequest{Source: "traces",
			Select:  []query.ChartSelect{{AggFn: "quantile", Level: 0.95, ValueExpression: "Duration"}},
			GroupBy: query.GroupByList{"ServiceName"}})},
		{"chart traces 24 h: Duration heatmap", chart(query.ChartRequest{Source: "traces", DisplayType: "heatmap",
			Select: []query.ChartSelect{{AggFn: "count", ValueExpression: "Duration"}}})},
		{"values traces: SpanAttributes['app.payment.card_type'], 24 h", func() (string, error) {
			v, err := s.Values(ctx, store.ValuesParams{Source: "traces", Field: "SpanAttributes['app.payment.card_type']", Start: base, End: end})
			return fmt.Sprintf("%d values", len(v)), err
		}},
		{"trace by ID", func() (string, error) {
			if traceID == "" {
				res, err := s.Search(ctx, store.SearchParams{Source: &schema.TracesSource, Start: base.Add(12 * time.Hour), End: base.Add(12*time.Hour + time.Minute), Limit: 1})
				if err != nil || len(res.Rows) == 0 {
					return "", fmt.Errorf("no span to take a trace ID from: %v", err)
				}
				traceID, _ = res.Rows[0]["TraceId"].(string)
			}
			rows, err := s.Trace(ctx, traceID)
			return fmt.Sprintf("%d spans", len(rows)), err
		}},
	}
	var out []result
	for _, c := range cases {
		if only != "" && !strings.Contains(c.name, only) {
			continue
		}
		r, err := measure(c.name, runs, c.f)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// alternatives times max(Duration) grouped by the card type attribute
// with the attribute stored as MAP (the store's layout), as a dedicated
// column, as JSON text and as parallel key/value LISTs, all in one copy of
// the spans so that only the layout differs.
func alternatives(ctx context.Context, db *sql.DB, runs int, only string) ([]result, error) {
	start := time.Now()
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE bench_alt AS SELECT Timestamp, Duration, ServiceName, SpanAttributes,
		SpanAttributes['app.payment.card_type'] AS card_type, CAST(to_json(SpanAttributes) AS VARCHAR) AS attrs_json,
		map_keys(SpanAttributes) AS attr_k, map_values(SpanAttributes) AS attr_v FROM otel_traces`); err != nil {
		return nil, fmt.Errorf("create bench_alt: %w", err)
	}
	defer db.ExecContext(ctx, "DROP TABLE IF EXISTS bench_alt") //nolint:errcheck // best effort
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return nil, fmt.Errorf("checkpoint bench_alt: %w", err)
	}
	logf("created bench_alt in %s", time.Since(start).Round(time.Millisecond))
	exprs := []struct{ name, expr string }{
		{"MAP (map_extract_value)", "coalesce(map_extract_value(SpanAttributes, 'app.payment.card_type'), '')"},
		{"MAP (m['k'])", "coalesce(SpanAttributes['app.payment.card_type'], '')"},
		{"materialised column", "coalesce(card_type, '')"},
		{"JSON text (json_extract_string)", `coalesce(json_extract_string(attrs_json, '$."app.payment.card_type"'), '')`},
		{"LIST pairs (list_position)", "coalesce(attr_v[list_position(attr_k, 'app.payment.card_type')], '')"},
	}
	var out []result
	for _, w := range []struct{ name, where string }{{"all spans", "TRUE"}, {"ServiceName = 'payment'", "ServiceName = 'payment'"}} {
		for _, e := range exprs {
			name := fmt.Sprintf("layout %s: max(Duration) by card type, %s", e.name, w.name)
			if only != "" && !strings.Contains(name, only) {
				continue
			}
			q := fmt.Sprintf("SELECT %s AS k, max(Duration) FROM bench_alt WHERE %s GROUP BY k", e.expr, w.where)
			r, err := measure(name, runs, func() (string, error) {
				rows, err := db.QueryContext(ctx, q)
				if err != nil {
					return "", err
				}
				defer rows.Close()
				n := 0
				for rows.Next() {
					n++
				}
				return fmt.Sprintf("%d groups", n), rows.Err()
			})
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	var sizes []string
	for _, c := range []string{"SpanAttributes", "card_type", "attrs_json", "attr_k", "attr_v"} {
		var b sql.NullInt64
		err := db.QueryRowContext(ctx, `SELECT count(DISTINCT block_id) * 262144 FROM pragma_storage_info('bench_alt')
			WHERE column_name = ? AND persistent`, c).Scan(&b)
		if err == nil {
			sizes = append(sizes, fmt.Sprintf("%s≈%d MiB", c, b.Int64>>20))
		}
	}
	logf("bench_alt column sizes (blocks of 256 KiB): %s", strings.Join(sizes, ", "))
	return out, nil
}
