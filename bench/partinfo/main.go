// Command partinfo prints the compressed bytes per row of each column of
// Parquet files (summed over the files), the largest first, and their
// page count: where a part's bytes go (docs/benchmarks.md, "Second
// round").
//
//	go run ./bench/partinfo [-top 12] /tmp/data/part-*.parquet
package main

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

func main() {
	top := flag.Int("top", 12, "columns to print")
	flag.Parse()
	if err := run(flag.Args(), *top); err != nil {
		fmt.Fprintln(os.Stderr, "partinfo:", err)
		os.Exit(1)
	}
}

func run(paths []string, top int) error {
	sizes := map[string]int64{}
	var rows, pages int64
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		pf, err := parquet.OpenFile(f, fi.Size())
		if err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", p, err)
		}
		rows += pf.NumRows()
		for _, rg := range pf.Metadata().RowGroups {
			for _, c := range rg.Columns {
				sizes[strings.Join(c.MetaData.PathInSchema, ".")] += c.MetaData.TotalCompressedSize
			}
		}
		for _, idx := range pf.OffsetIndexes() {
			pages += int64(len(idx.PageLocations))
		}
		f.Close()
	}
	if rows == 0 {
		return fmt.Errorf("no rows in %d files", len(paths))
	}
	type col struct {
		name  string
		bytes int64
	}
	var cols []col
	var total int64
	for k, v := range sizes {
		cols = append(cols, col{k, v})
		total += v
	}
	slices.SortFunc(cols, func(a, b col) int { return cmp.Compare(b.bytes, a.bytes) })
	fmt.Printf("%d rows, %.1f B/row in column chunks, %d pages\n", rows, float64(total)/float64(rows), pages)
	for _, c := range cols[:min(top, len(cols))] {
		fmt.Printf("%-50s %6.2f\n", c.name, float64(c.bytes)/float64(rows))
	}
	return nil
}
