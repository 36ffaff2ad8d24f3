// Command storageinfo prints where the bytes of a DuckDB table go, from
// pragma_storage_info: its persisted segments grouped by top-level column
// (and, with -by-compression, by column and compression), with bytes per
// row. Run it on a checkpointed file, e.g. the data dir that
// `bench/ingest -raw -data DIR` leaves after its closing checkpoint:
//
//	go run ./bench/storageinfo -db DIR/overlook.duckdb -table otel_traces
//
// DuckDB 1.5 reports no byte size per segment, so a segment's size is
// estimated from the layout: the distance to the next segment in the same
// block (or to the block's end for the last one), plus one block per
// additional block. The estimates add up to the table's blocks, free space
// at the end of partially filled blocks included.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	db := flag.String("db", "", "DuckDB database file (opened read-only)")
	table := flag.String("table", "otel_traces", "table")
	byComp := flag.Bool("by-compression", false, "also break each column down by segment type and compression")
	flag.Parse()
	if err := run(*db, *table, *byComp); err != nil {
		fmt.Fprintln(os.Stderr, "storageinfo:", err)
		os.Exit(1)
	}
}

func run(path, table string, byComp bool) error {
	if path == "" {
		return fmt.Errorf("-db is required (a checkpointed DuckDB file)")
	}
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	var rows, blockSize int64
	if err := db.QueryRow(`SELECT count(*) FROM "` + strings.ReplaceAll(table, `"`, `""`) + `"`).Scan(&rows); err != nil {
		return fmt.Errorf("count %s: %w", table, err)
	}
	if err := db.QueryRow(`SELECT block_size FROM pragma_database_size()`).Scan(&blockSize); err != nil {
		return fmt.Errorf("block size: %w", err)
	}
	groupBy, label := "column_name", "column"
	if byComp {
		groupBy, label = "column_name, segment_type, compression", "column / segment type / compression"
	}
	q := `WITH s AS (
	  SELECT column_name, segment_type, compression, block_id, block_offset,
	    len(additional_block_ids) AS extra,
	    lead(block_offset) OVER (PARTITION BY block_id ORDER BY block_offset) AS next_off
	  FROM pragma_storage_info(?) WHERE persistent AND block_id >= 0)
	SELECT ` + groupBy + `, count(*) AS segments,
	  sum(coalesce(next_off, ?) - block_offset + extra * ?)::BIGINT AS bytes
	FROM s GROUP BY ALL ORDER BY bytes DESC`
	res, err := db.Query(q, table, blockSize, blockSize)
	if err != nil {
		return fmt.Errorf("storage info of %s: %w", table, err)
	}
	defer res.Close()
	type line struct {
		name        string
		segs, bytes int64
	}
	var lines []line
	var total int64
	for res.Next() {
		var col, st, comp string
		var l line
		dst := []any{&col, &l.segs, &l.bytes}
		if byComp {
			dst = []any{&col, &st, &comp, &l.segs, &l.bytes}
		}
		if err := res.Scan(dst...); err != nil {
			return err
		}
		l.name = col
		if byComp {
			l.name = col + " / " + st + " / " + comp
		}
		total += l.bytes
		lines = append(lines, l)
	}
	if err := res.Err(); err != nil {
		return err
	}
	fmt.Printf("%s: %d rows, %d bytes in segments (%.1f B/row), block size %d\n\n", table, rows, total, per(total, rows), blockSize)
	fmt.Printf("| %s | segments | bytes | B/row | share |\n| --- | --- | --- | --- | --- |\n", label)
	for _, l := range lines {
		fmt.Printf("| %s | %d | %d | %.1f | %.1f%% |\n", l.name, l.segs, l.bytes, per(l.bytes, rows), 100*float64(l.bytes)/float64(max(total, 1)))
	}
	return nil
}

func per(b, rows int64) float64 {
	if rows == 0 {
		return 0
	}
	return float64(b) / float64(rows)
}
