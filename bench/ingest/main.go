// Command ingest benchmarks overlook's ingest path: it sends realistic
// spans and logs (an OpenTelemetry-demo-like shop, ~10 attributes per
// record) over OTLP/gRPC to a server it starts (-binary) or one already
// running (-target), or inserts the same batches straight into the DuckDB
// store (-raw), and reports acknowledged rows/s, export latency, bytes on
// disk per row, the server's peak RSS and CPU per 1k rows, and trace-by-ID
// latency. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	ossignal "os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// options are the command-line flags.
type options struct {
	binary, target, api string
	serverSets          []string // --set options for the -binary server
	jaeger              string   // a Jaeger v2 binary to start instead of overlook (see jaeger.go)
	raw                 bool
	shape               string        // traces: shapeShop or shapeTen
	rate                float64       // rows/s per signal (0: as fast as the exporters go)
	spread              time.Duration // date the -rows budget over this long before the start
	dataDir             string
	keep                bool
	signal              string
	duration            time.Duration
	rows                int64
	batch               int
	concurrency         int
	pregen              int
	seed                uint64
	compression         string
	timeout             time.Duration
	maxRetry            time.Duration
	stopTimeout         time.Duration
	progress            time.Duration
	lookups             int
	jsonOut             bool
	cpuProfile          string
	checkpointWAL       int64 // -raw: duckdb.Config.CheckpointWALBytes (0: the store's default)
}

const usageText = `ingest benchmarks overlook's OTLP ingest path.

Exactly one of:
  -binary bin/overlook          start the server on free 127.0.0.1 ports with a temporary
                                data dir, load it, stop it with SIGINT
  -target host:port [-api host:port]
                                load an already running server (OTLP gRPC); -api enables
                                /metrics (rows, disk, CPU, RSS) and trace lookups
  -raw                          no server: insert the same batches straight into the
                                DuckDB store package (the pipeline's overhead = raw vs e2e)
  -jaeger bench/jaeger/bin/jaeger
                                start Jaeger v2 with Badger storage on free 127.0.0.1 ports
                                instead (traces only; see bench/jaeger/README.md)

Examples:
  go run ./bench/ingest -binary bin/overlook -signal traces -duration 60s
  go run ./bench/ingest -binary bin/overlook -signal logs -duration 60s -json
  go run ./bench/ingest -raw -signal traces -duration 60s
  go run ./bench/ingest -binary bin/overlook -signal traces -rows 5000000 -trace-lookups 200

Flags:
`

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.binary, "binary", "", "overlook `binary` to start")
	fs.Func("server-set", "with -binary: pass `key=value` to the server as --set (repeatable; e.g. 'service::pipelines::traces::exporters=[overlook]' turns span metrics and the service graph off)", func(v string) error {
		o.serverSets = append(o.serverSets, v)
		return nil
	})
	fs.StringVar(&o.jaeger, "jaeger", "", "Jaeger v2 `binary` to start (Badger storage) instead of overlook")
	fs.StringVar(&o.shape, "shape", shapeShop, "traces: shop (the shop's flows, ~9 spans per trace) or ten (exactly 10 spans per trace, ~440 B/span: issue 10's load)")
	fs.Float64Var(&o.rate, "rate", 0, "offered `rows/s` per signal, paced (0: closed loop, as fast as the exporters are answered)")
	fs.DurationVar(&o.spread, "spread", 0, "with -rows: date the batches evenly over this `duration` before the start (e.g. 24h) instead of at their send time")
	fs.StringVar(&o.target, "target", "", "OTLP gRPC `host:port` of a running server")
	fs.StringVar(&o.api, "api", "", "API `host:port` of the -target server (for /metrics and trace lookups)")
	fs.BoolVar(&o.raw, "raw", false, "insert into the store package directly, without a server")
	fs.StringVar(&o.dataDir, "data", "", "data `dir` for -binary/-raw (default: a temporary dir, removed at the end); kept when given")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary work dir (server log, config, data)")
	fs.StringVar(&o.signal, "signal", "traces", "traces, logs or both")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long to send (0: until -rows); with -rows and no -duration: no time limit")
	fs.Int64Var(&o.rows, "rows", 0, "stop after this many acknowledged rows per signal (the loader mode, e.g. 5000000)")
	fs.IntVar(&o.batch, "batch", 2000, "rows per export request (1-5000)")
	fs.IntVar(&o.concurrency, "concurrency", 4, "concurrent exporters per signal, each with one request in flight")
	fs.IntVar(&o.pregen, "pregen", 50, "distinct pre-encoded batches per signal, sent in rotation with fresh IDs and timestamps")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the generated data")
	fs.StringVar(&o.compression, "compression", "none", "gRPC compression: none or gzip (gzip costs the load generator CPU too)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of one export attempt (OTLP exporters default to 10s)")
	fs.DurationVar(&o.maxRetry, "max-retry", time.Minute, "give a batch up after retrying it this long")
	fs.DurationVar(&o.stopTimeout, "stop-timeout", 5*time.Minute, "how long to wait for the server to exit after SIGINT")
	fs.DurationVar(&o.progress, "progress", 5*time.Second, "progress line interval on stderr (0: none)")
	fs.IntVar(&o.lookups, "trace-lookups", 200, "after ingest, time GET /api/traces/{id} for this many sampled traces (0: none)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON on stdout")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of this process during the load to `file` "+
		"(with -raw it profiles the store: go tool pprof -top file)")
	fs.Int64Var(&o.checkpointWAL, "checkpoint-wal", 0, "with -raw: the store's CheckpointWALBytes in `bytes` (0: its default)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	durationSet := false
	fs.Visit(func(f *flag.Flag) { durationSet = durationSet || f.Name == "duration" })
	if o.rows > 0 && !durationSet {
		o.duration = 0
	}
	return o, o.validate()
}

func (o options) validate() error {
	var errs []error
	modes := 0
	for _, set := range []bool{o.binary != "", o.target != "", o.raw, o.jaeger != ""} {
		if set {
			modes++
		}
	}
	if modes != 1 {
		errs = append(errs, errors.New("give exactly one of -binary, -target, -raw and -jaeger"))
	}
	if o.jaeger != "" && o.signal != "traces" {
		errs = append(errs, errors.New("-jaeger takes traces only: -signal traces"))
	}
	if o.shape != shapeShop && o.shape != shapeTen {
		errs = append(errs, fmt.Errorf("-shape %q: shop or ten", o.shape))
	}
	if o.rate < 0 {
		errs = append(errs, errors.New("-rate must not be negative"))
	}
	if o.spread < 0 || (o.spread > 0 && o.rows == 0) {
		errs = append(errs, errors.New("-spread needs -rows (the batches are dated by their place in the budget) and must not be negative"))
	}
	if len(o.serverSets) > 0 && o.binary == "" {
		errs = append(errs, errors.New("-server-set goes with -binary"))
	}
	if o.api != "" && o.target == "" {
		errs = append(errs, errors.New("-api goes with -target"))
	}
	if o.dataDir != "" && o.target != "" {
		errs = append(errs, errors.New("-data is for -binary and -raw"))
	}
	if _, err := signalsOf(o.signal); err != nil {
		errs = append(errs, err)
	}
	if o.batch < 1 || o.batch > 5000 {
		errs = append(errs, fmt.Errorf("-batch %d: use 1 to 5000", o.batch))
	}
	if o.concurrency < 1 || o.pregen < 1 {
		errs = append(errs, errors.New("-concurrency and -pregen must be at least 1"))
	}
	if o.duration < 0 || o.rows < 0 || o.lookups < 0 {
		errs = append(errs, errors.New("-duration, -rows and -trace-lookups must not be negative"))
	}
	if o.duration == 0 && o.rows == 0 {
		errs = append(errs, errors.New("give -duration or -rows"))
	}
	if o.compression != "none" && o.compression != "gzip" {
		errs = append(errs, fmt.Errorf("-compression %q: none or gzip", o.compression))
	}
	if o.timeout <= 0 || o.maxRetry <= 0 || o.stopTimeout <= 0 {
		errs = append(errs, errors.New("-timeout, -max-retry and -stop-timeout must be positive"))
	}
	return errors.Join(errs...)
}

func signalsOf(s string) ([]signal, error) {
	switch s {
	case "traces":
		return []signal{sigTraces}, nil
	case "logs":
		return []signal{sigLogs}, nil
	case "both":
		return []signal{sigTraces, sigLogs}, nil
	}
	return nil, fmt.Errorf("-signal %q: traces, logs or both", s)
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(2)
	}
	// The first interrupt ends the load early and the report follows; the
	// second aborts.
	interrupt := make(chan struct{})
	ctx, abort := context.WithCancel(context.Background())
	defer abort()
	sigc := make(chan os.Signal, 2)
	ossignal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigc
		fmt.Fprintln(os.Stderr, "interrupted: ending the load (interrupt again to abort)")
		close(interrupt)
		<-sigc
		abort()
	}()
	if err := run(ctx, interrupt, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(1)
	}
}

// run generates the data, runs the chosen mode and prints the report.
// Closing interrupt ends the load early; cancelling ctx aborts.
func run(ctx context.Context, interrupt <-chan struct{}, o options, stdout, stderr io.Writer) error {
	sigs, _ := signalsOf(o.signal)
	rep := &report{
		Config: runConfig{Signal: o.signal, Batch: o.batch, Concurrency: o.concurrency, Pregen: o.pregen,
			DurationS: o.duration.Seconds(), Rows: o.rows, Compression: o.compression,
			Target: o.target, Binary: o.binary, ServerSets: o.serverSets, Jaeger: o.jaeger, Shape: o.shape, Rate: o.rate,
			SpreadS: o.spread.Seconds(), TemplateBytesPerRow: map[signal]float64{}},
		Conditions: conditions{Start: time.Now(), CPUs: runtime.NumCPU(), LoadAvg: loadAvg(), GoVersion: runtime.Version()},
	}
	cfg := loadConfig{
		signals: sigs, templates: map[signal][]*template{}, concurrency: o.concurrency,
		duration: o.duration, rows: o.rows, timeout: o.timeout,
		retry: retryPolicy{initial: 20 * time.Millisecond, max: 2 * time.Second, maxElapsed: o.maxRetry},
		salt:  rand.Uint64(), progress: o.progress, progressOut: stderr,
		cpuProfile: o.cpuProfile, interrupt: interrupt,
		rate: o.rate, spread: o.spread, runStart: rep.Conditions.Start,
	}
	for _, sig := range sigs {
		t0 := time.Now()
		ts, err := pregenerateShape(sig, o.shape, o.pregen, o.batch, o.seed)
		if err != nil {
			return fmt.Errorf("generate %s: %w", sig, err)
		}
		size := 0
		for _, t := range ts {
			size += len(t.raw)
		}
		per := float64(size) / float64(o.pregen*o.batch)
		rep.Config.TemplateBytesPerRow[sig] = float64(int(per*10)) / 10
		fmt.Fprintf(stderr, "generated %d %s batches of %d rows (%.2f MiB each, %.0f B/row) in %v\n",
			o.pregen, sig, o.batch, float64(size)/float64(o.pregen)/(1<<20), per, time.Since(t0).Round(time.Millisecond))
		if size/o.pregen > 4<<20 && !o.raw {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s batches are over 4 MiB, the OTLP gRPC receiver's default message limit", sig))
		}
		cfg.templates[sig] = ts
	}
	if rows := o.pregen * o.batch; rows < 100_000 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("the %d templates hold %d rows: attribute values repeat every %d rows, "+
			"within a DuckDB row group (122880 rows), which flatters compression; raise -pregen", o.pregen, rows, rows))
	}

	workDir, err := os.MkdirTemp("", "overlook-bench-")
	if err != nil {
		return fmt.Errorf("create work dir: %w", err)
	}
	keep := o.keep
	defer func() {
		if keep {
			fmt.Fprintf(stderr, "work dir kept: %s\n", workDir)
			return
		}
		_ = os.RemoveAll(workDir)
	}()
	dataDir := o.dataDir
	if dataDir == "" {
		dataDir = filepath.Join(workDir, "data")
	} else if entries, _ := os.ReadDir(dataDir); len(entries) > 0 {
		rep.Notes = append(rep.Notes, "the data dir was not empty: bytes per row include the earlier data")
	}
	if o.target == "" {
		rep.Config.DataDir = dataDir
	}

	switch {
	case o.raw:
		rep.Mode = "raw"
		err = runRaw(ctx, o, cfg, rep, dataDir, stderr)
	case o.binary != "":
		rep.Mode = "end-to-end"
		err = runBinary(ctx, o, cfg, rep, dataDir, workDir, stderr)
	case o.jaeger != "":
		rep.Mode = "jaeger"
		err = runJaeger(ctx, o, cfg, rep, dataDir, workDir, stderr)
	default:
		rep.Mode = "end-to-end"
		err = runTarget(ctx, o, cfg, rep, stderr)
	}
	if err != nil {
		keep = true
		return err
	}
	rep.Targets = checkTargets(rep)
	if o.jsonOut {
		return writeJSON(stdout, rep)
	}
	return writeText(stdout, rep)
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
