// Package copycmd is `overlook copy`: copy the rows of a DuckDB data
// directory into the ClickHouse backend a configuration names
// (internal/copytool; docs/scale-out.md).
package copycmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/overlook-dev/overlook/internal/copytool"
	"github.com/overlook-dev/overlook/internal/distro"
	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store/clickhouse"
)

// Usage is the command's synopsis.
const Usage = `  overlook copy --from-data DIR --to-config FILE [--to-set K=V] [--from-config FILE] [--tables T,...] [--page-rows N]
`

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// Run runs `overlook copy <args>`. The server of the DuckDB data directory
// must be stopped (one process per DuckDB file).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var from, to distro.Sources
	fs.StringVar(&from.DataDir, "from-data", "", "the DuckDB data directory to copy (its server stopped)")
	fs.Var((*listFlag)(&from.Files), "from-config", "configuration of the DuckDB server, for its storage settings (optional, repeatable)")
	fs.Var((*listFlag)(&to.Files), "to-config", "configuration naming the ClickHouse backend (storage::backend: clickhouse; repeatable)")
	fs.Var((*listFlag)(&to.Sets), "to-set", "override one key of the destination configuration: a::b=value (repeatable)")
	tables := fs.String("tables", "", "tables to copy, comma-separated (default: "+strings.Join(tableNames(copytool.Tables()), ",")+")")
	pageRows := fs.Int("page-rows", 10000, "rows read and inserted at once (bounds memory)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if from.DataDir == "" || len(to.Files) == 0 && len(to.Sets) == 0 {
		return errors.New("copy needs --from-data DIR and --to-config FILE:\n" + Usage)
	}
	sel, err := selectTables(*tables)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	from.Sets = append(from.Sets, "extensions::overlook::storage::backend=duckdb")
	srcConf, err := distro.Resolve(ctx, from)
	if err != nil {
		return fmt.Errorf("the source configuration: %w", err)
	}
	src, _, err := overlookext.OpenConfigured(ctx, srcConf, false, log.With("store", "source"))
	if err != nil {
		return fmt.Errorf("open the DuckDB data directory %s (is its server stopped?): %w", from.DataDir, err)
	}
	defer src.Close()

	dstConf, err := distro.Resolve(ctx, to)
	if err != nil {
		return fmt.Errorf("the destination configuration: %w", err)
	}
	dst, backend, err := overlookext.OpenConfigured(ctx, dstConf, true, log.With("store", "destination"))
	if err != nil {
		return fmt.Errorf("open the destination: %w", err)
	}
	defer dst.Close()
	ch, ok := dst.(*clickhouse.Store)
	if !ok {
		return fmt.Errorf("the destination's extensions::overlook::storage::backend is %q: copy writes to a ClickHouse backend (set it to clickhouse in --to-config)", backend)
	}
	reps, err := copytool.Copy(ctx, src, ch, sel, copytool.Options{PageRows: *pageRows, Logger: log})
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tDAYS\tSKIPPED (already copied)\tREDONE (partly copied)\tROWS COPIED")
	for _, r := range reps {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", r.Table, r.Days, r.Skipped, r.Redo, r.Rows)
	}
	if ferr := tw.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("%w (run the same command again to resume: complete days are skipped)", err)
	}
	return nil
}

func tableNames(ts []*schema.Table) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

// selectTables parses --tables (empty: every table).
func selectTables(list string) ([]*schema.Table, error) {
	all := copytool.Tables()
	if strings.TrimSpace(list) == "" {
		return all, nil
	}
	var out []*schema.Table
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		i := slices.IndexFunc(all, func(t *schema.Table) bool { return t.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("--tables: unknown table %q: use some of %s", n, strings.Join(tableNames(all), ","))
		}
		out = append(out, all[i])
	}
	return out, nil
}
