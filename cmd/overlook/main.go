// Command overlook runs the overlook observability server and its tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"go.opentelemetry.io/collector/otelcol"

	"github.com/overlook-dev/overlook/internal/budget"
	"github.com/overlook-dev/overlook/internal/copycmd"
	"github.com/overlook-dev/overlook/internal/demo"
	"github.com/overlook-dev/overlook/internal/distro"
	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/usercmd"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `overlook — OpenTelemetry-native observability in one binary.

Usage:
  overlook serve            [flags]   receive OTLP, store, serve the API (ports 4317, 4318, 8080)
  overlook config print     [flags]   print the effective merged configuration
  overlook config validate  [flags]   check the configuration and exit non-zero on problems
  overlook user add         [flags]   add a user (works while a server runs); also: user list
  overlook copy             [flags]   copy a DuckDB data directory into a ClickHouse backend
                                      (--from-data DIR --to-config FILE; docs/scale-out.md)
  overlook version

Flags:
  --config FILE   configuration merged over the default (repeatable; also
                  CUSTOM_OTELCOL_CONFIG_FILE). Maps merge, lists are replaced.
  --set K=V       override one key, levels separated by :: (repeatable)
  --data DIR      data directory (default ./data)
  --demo          also run the built-in demo: a seeded online shop with an
                  incident, sent over OTLP to this server (docs/demo.md)
`

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "overlook:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	if cmd == "config" {
		if len(args) == 0 {
			return errors.New("config needs a subcommand: print or validate")
		}
		cmd, args = "config "+args[0], args[1:]
	}
	switch cmd {
	case "version", "--version":
		fmt.Fprintln(stdout, "overlook", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "user":
		return usercmd.Run(context.Background(), args, os.Stdin, stdout, stderr)
	case "copy":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return copycmd.Run(ctx, args, stdout, stderr)
	case "serve", "config print", "config validate":
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}

	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var src distro.Sources
	fs.Var((*listFlag)(&src.Files), "config", "configuration file merged over the default (repeatable)")
	fs.Var((*listFlag)(&src.Sets), "set", "override one key: a::b=value (repeatable)")
	fs.StringVar(&src.DataDir, "data", "", "data directory (default ./data)")
	demoFlag := fs.Bool("demo", false, "run the built-in demo generator (extensions::overlook::demo::enabled=true)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *demoFlag {
		src.Sets = append([]string{demo.ConfigKey + "::enabled=true"}, src.Sets...)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	src.Custom = os.Getenv(distro.CustomConfigEnv)
	if src.Custom != "" {
		if _, err := os.Stat(src.Custom); err != nil {
			return fmt.Errorf("%s=%s: %w", distro.CustomConfigEnv, src.Custom, err)
		}
	}

	var goLimitErr error
	if b, err := budget.Detect(budget.System()); err != nil {
		// memory_limiter falls back to percentages of the machine's memory.
		goLimitErr = err
	} else {
		src.Budget = &b
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "config print":
		return distro.Print(ctx, src, stdout)
	case "config validate":
		if err := distro.Validate(ctx, src); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "configuration is valid")
		return nil
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if goLimitErr != nil {
		log.Warn("no process memory budget; memory defaults follow the machine's memory", "err", goLimitErr)
	}
	return serve(ctx, stop, src, log)
}

func serve(ctx context.Context, stop context.CancelFunc, src distro.Sources, log *slog.Logger) error {
	if err := distro.Validate(ctx, src); err != nil {
		return err
	}
	metrics := telemetry.New()
	if b := src.Budget; b != nil {
		if !b.GoLimitFromEnv {
			// The Go heap's share of the budget; GOMEMLIMIT overrides it.
			debug.SetMemoryLimit(b.GoLimit)
		}
		metrics.SetMemoryBudget(b.Parts())
		log.Info(b.String())
	}
	if addr := os.Getenv(PprofEnv); addr != "" {
		if err := startPprof(ctx, addr, log); err != nil {
			return err
		}
	}
	set, err := distro.CollectorSettings(src, version, metrics)
	if err != nil {
		return err
	}
	col, err := otelcol.NewCollector(set)
	if err != nil {
		return fmt.Errorf("create collector: %w", err)
	}
	if err := startDemo(ctx, src, log); err != nil {
		return err
	}
	// A second Ctrl-C kills the process: restore default handling once the
	// first one has started the graceful shutdown.
	go func() {
		<-ctx.Done()
		stop()
	}()
	return col.Run(ctx)
}

// startDemo runs the demo generator beside the collector when the
// configuration enables it; it sends to the collector's own OTLP receiver
// and stops with ctx.
func startDemo(ctx context.Context, src distro.Sources, log *slog.Logger) error {
	conf, err := distro.Resolve(ctx, src)
	if err != nil {
		return err
	}
	cfg, err := demo.FromConf(conf)
	if err != nil || !cfg.Enabled {
		return err
	}
	go func() {
		l := log.With("component", "demo")
		if err := demo.Run(ctx, cfg, l); err != nil {
			l.Error("demo generator stopped", "err", err)
		}
	}()
	return nil
}
