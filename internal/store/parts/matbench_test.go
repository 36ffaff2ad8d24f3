package parts

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/schema"
)

// BenchmarkMaterializedCardType times a chart-like query, max(Duration)
// grouped by the materialised column
// "__hdx_materialized_SpanAttributes.app.payment.card_type", over
// MATBENCH_SPANS (default 1M) spans, three ways: parts/derived (the
// parts as written today, the column derived by ViewSQL from the map:
// list_position over the keys, per row), and copy/derived and
// copy/stored (the same rows copied once by DuckDB into a Parquet file
// that also holds the column as a real, dictionary-encoded VARCHAR
// column, grouped by the map lookup and by the column: only the layout
// differs). Run:
//
//	go test ./internal/store/parts -run '^$' -bench MaterializedCardType -benchtime 5x -v
func BenchmarkMaterializedCardType(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("MATBENCH_SPANS"); v != "" {
		fmt.Sscan(v, &n)
	}
	ctx := context.Background()
	dir := b.TempDir()
	mat := []schema.Materialized{{Map: "SpanAttributes", Key: "app.payment.card_type"}}
	tb, err := Open(ctx, Config{Dir: filepath.Join(dir, "parts"), Kind: Traces, Materialized: mat, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	at := time.Now().Truncate(time.Hour)
	for done := 0; done < n; done += 1000 {
		td := benchTraces(r, 1000, at)
		for i := range td.ResourceSpans().Len() {
			rs := td.ResourceSpans().At(i)
			svc, _ := rs.Resource().Attributes().Get("service.name")
			if s := svc.Str(); s != "payment" && s != "checkout" && s != "frontend" {
				continue
			}
			forEachSpan(rs, func(sp ptrace.Span) {
				x := r.IntN(100)
				card := "visa"
				switch {
				case x >= 85:
					card = "amex"
				case x >= 50:
					card = "mastercard"
				}
				sp.Attributes().PutStr("app.payment.card_type", card)
			})
		}
		for {
			err := tb.InsertTraces(ctx, td)
			if err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if err := tb.Close(); err != nil {
		b.Fatal(err)
	}
	tb, err = Open(ctx, Config{Dir: filepath.Join(dir, "parts"), Kind: Traces, Materialized: mat, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer tb.Close()
	sn, err := tb.Snapshot(ctx, time.Time{}, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	defer sn.Release()
	col := ident(mat[0].Column())
	files := make([]string, len(sn.Files))
	for i, f := range sn.Files {
		files[i] = literal(f)
	}
	list := "[" + strings.Join(files, ", ") + "]"
	copyPath := filepath.Join(dir, "copy.parquet")
	lookup := `"SpanAttributes"."values"[list_position("SpanAttributes"."keys", 'app.payment.card_type')]`
	if _, err := db(b).Exec(`COPY (SELECT *, ` + lookup + ` AS ` + col + ` FROM read_parquet(` + list + `))
		TO ` + literal(copyPath) + ` (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 65536)`); err != nil {
		b.Fatal(err)
	}
	var colBytes, mapBytes int64
	if err := db(b).QueryRow(`SELECT sum(total_compressed_size) FILTER (WHERE path_in_schema = `+literal(mat[0].Column())+`),
		sum(total_compressed_size) FILTER (WHERE path_in_schema LIKE 'SpanAttributes%')
		FROM parquet_metadata(`+literal(copyPath)+`)`).Scan(&colBytes, &mapBytes); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d spans in %d parts; copy: column %d KiB, SpanAttributes %d KiB", n, len(sn.Files), colBytes>>10, mapBytes>>10)
	for _, q := range []struct{ name, sql string }{
		{"parts/derived", `SELECT ` + col + `, max("Duration") FROM (` + ViewSQL(Traces, mat, sn.Files) + `) GROUP BY 1`},
		{"copy/derived", `SELECT ` + lookup + `, max("Duration") FROM read_parquet(` + literal(copyPath) + `) GROUP BY 1`},
		{"copy/stored", `SELECT ` + col + `, max("Duration") FROM read_parquet(` + literal(copyPath) + `) GROUP BY 1`},
	} {
		b.Run(q.name, func(b *testing.B) {
			cpu := processCPU()
			groups := 0
			for b.Loop() {
				rs, err := db(b).Query(q.sql)
				if err != nil {
					b.Fatal(err)
				}
				groups = 0
				for rs.Next() {
					groups++
				}
				if err := rs.Err(); err != nil {
					b.Fatal(err)
				}
				rs.Close()
			}
			if groups != 4 { // visa, mastercard, amex, NULL
				b.Fatalf("%d groups, want 4", groups)
			}
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

func forEachSpan(rs ptrace.ResourceSpans, fn func(ptrace.Span)) {
	for i := range rs.ScopeSpans().Len() {
		ss := rs.ScopeSpans().At(i).Spans()
		for j := range ss.Len() {
			fn(ss.At(j))
		}
	}
}
