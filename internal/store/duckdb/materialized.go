package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/overlook-dev/overlook/internal/schema"
)

// Materialised attribute columns (schema.Materialized): VARCHAR columns
// after the schema's columns, named __hdx_materialized_..., NULL when the
// row's map lacks the key. They are filled in the chunk-filling path
// (chunkBuilder.attrs: the attribute is at hand while its map is
// written), added and backfilled from the maps at Open when missing
// (ensureMaterialized), and read by the query renderer through
// query.WithMaterialized.

// materializedTables are the tables that can have materialised columns.
var materializedTables = []*schema.Table{&schema.Traces, &schema.Logs}

// materializedSet is the configured set: the defaults plus
// MaterializedAttributes.
func (c Config) materializedSet() (schema.MaterializedSet, error) {
	set := schema.Default()
	sources := make([]string, 0, len(c.MaterializedAttributes))
	for name := range c.MaterializedAttributes {
		sources = append(sources, name)
	}
	sort.Strings(sources)
	for _, name := range sources {
		src, ok := schema.SourceByName(name)
		if !ok {
			return nil, fmt.Errorf("materialized attributes: unknown source %q: use traces or logs", name)
		}
		for _, path := range c.MaterializedAttributes[name] {
			m, err := schema.ParseMaterializedPath(src.Table, path)
			if err != nil {
				return nil, fmt.Errorf("materialized attributes of %s: %w", name, err)
			}
			set = set.With(src.Table.Name, m)
		}
	}
	return set, nil
}

// physicalMaterialized lists the materialised columns table t has, in
// column order, and fails on any other column the schema lacks (the
// appender writes every column of the table, in order).
func physicalMaterialized(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, t *schema.Table) ([]schema.Materialized, error) {
	rows, err := q.QueryContext(ctx, `SELECT column_name FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?
		ORDER BY column_index`, t.Name)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", t.Name, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", t.Name, err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("columns of %s: %w", t.Name, err)
	}
	if len(names) < len(t.Columns) {
		return nil, fmt.Errorf("table %s has %d columns, the schema %d", t.Name, len(names), len(t.Columns))
	}
	for i, c := range t.Columns {
		if names[i] != c.Name {
			return nil, fmt.Errorf("table %s: column %d is %q, the schema says %q", t.Name, i+1, names[i], c.Name)
		}
	}
	var out []schema.Materialized
	for _, n := range names[len(t.Columns):] {
		m, ok := schema.ParseMaterialized(t, n)
		if !ok {
			return nil, fmt.Errorf("table %s has column %q, which is neither in the schema nor a materialised attribute", t.Name, n)
		}
		out = append(out, m)
	}
	return out, nil
}

// ensureMaterialized adds the columns of want that tx's database lacks and
// records them as backfills to run (runMaterializedBackfills, after tx
// commits). It returns the set the database now has: every materialised
// column present, configured or not, in column order.
func ensureMaterialized(ctx context.Context, tx *sql.Tx, want schema.MaterializedSet) (schema.MaterializedSet, error) {
	have := schema.MaterializedSet{}
	for _, t := range materializedTables {
		cur, err := physicalMaterialized(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		for _, m := range want[t.Name] {
			if slices.Contains(cur, m) {
				continue
			}
			q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s VARCHAR", quoteIdent(t.Name), quoteIdent(m.Column()))
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return nil, fmt.Errorf("add materialised column %s to %s: %w", m.Column(), t.Name, err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+backfillTable+" VALUES (?, ?, 0)", t.Name, m.Column()); err != nil {
				return nil, fmt.Errorf("record backfill of %s.%s: %w", t.Name, m.Column(), err)
			}
			cur = append(cur, m)
		}
		if len(cur) > 0 {
			have[t.Name] = cur
		}
	}
	return have, nil
}

// runMaterializedBackfills fills the materialised columns recorded in
// backfillTable from their maps, table by table in bounded batches,
// resuming where an interrupted run stopped.
func runMaterializedBackfills(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	for _, t := range materializedTables {
		rows, err := db.QueryContext(ctx, "SELECT column_name, next_rowid FROM "+backfillTable+" WHERE table_name = ?", t.Name)
		if err != nil {
			return fmt.Errorf("read backfills of %s: %w", t.Name, err)
		}
		var ms []schema.Materialized
		start := int64(-1)
		for rows.Next() {
			var col string
			var next int64
			if err := rows.Scan(&col, &next); err != nil {
				rows.Close()
				return fmt.Errorf("read backfills of %s: %w", t.Name, err)
			}
			m, ok := schema.ParseMaterialized(t, col)
			if !ok {
				rows.Close()
				return fmt.Errorf("backfill of %s: %q is not a materialised column", t.Name, col)
			}
			ms = append(ms, m)
			if start < 0 || next < start {
				start = next
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("read backfills of %s: %w", t.Name, err)
		}
		if len(ms) == 0 {
			continue
		}
		began := time.Now()
		n, err := backfill(ctx, db, t, ms, start, func(tx *sql.Tx, next int64) error {
			_, err := tx.ExecContext(ctx, "UPDATE "+backfillTable+" SET next_rowid = ? WHERE table_name = ?", next, t.Name)
			return err
		})
		if err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, "DELETE FROM "+backfillTable+" WHERE table_name = ?", t.Name); err != nil {
			return fmt.Errorf("end backfill of %s: %w", t.Name, err)
		}
		log.Info("filled materialised attribute columns", "table", t.Name, "columns", len(ms),
			"rows", n, "took", time.Since(began).Round(time.Millisecond))
	}
	return nil
}

// backfill fills the columns of ms from their maps in the rows of t from
// rowid start on, in bounded batches (batchedUpdate); rows whose maps lack
// every key are skipped.
func backfill(ctx context.Context, db *sql.DB, t *schema.Table, ms []schema.Materialized, start int64,
	after func(tx *sql.Tx, next int64) error) (int64, error) {
	var set, conds []string
	var args []any
	for _, m := range ms {
		set = append(set, fmt.Sprintf("%s = map_extract_value(%s, ?)", quoteIdent(m.Column()), quoteIdent(m.Map)))
		args = append(args, m.Key)
	}
	for _, m := range ms {
		conds = append(conds, fmt.Sprintf("map_contains(%s, ?)", quoteIdent(m.Map)))
		args = append(args, m.Key)
	}
	end, err := rowidEnd(ctx, db, t.Name)
	if err != nil {
		return 0, err
	}
	n, err := batchedUpdate(ctx, db, t.Name, strings.Join(set, ", "), "", strings.Join(conds, " OR "), args, start, end, after)
	if err != nil {
		return n, fmt.Errorf("fill materialised columns of %s: %w", t.Name, err)
	}
	return n, nil
}

// layoutCache holds the layouts per distinct materialised set, never
// freed (a few per process): chunks may still be built from them after
// their Store closed (an insert racing Close fails only at submit).
var layoutCache sync.Map // key of the set → *[numTables]*chunkLayout

// materializedLayouts returns the chunk layouts for a database whose
// tables have the materialised columns of set: the schema's layouts with
// one VARCHAR column per attribute appended to its table's.
func materializedLayouts(set schema.MaterializedSet) *[numTables]*chunkLayout {
	var key strings.Builder
	for _, t := range tableList {
		for _, m := range set[t.Name] {
			fmt.Fprintf(&key, "%s\x00%s\x00%s\x00", t.Name, m.Map, m.Key)
		}
	}
	if ls, ok := layoutCache.Load(key.String()); ok {
		return ls.(*[numTables]*chunkLayout)
	}
	out := *chunkLayouts()
	for i, t := range tableList {
		ms := set[t.Name]
		if len(ms) == 0 {
			continue
		}
		base := out[i]
		l := &chunkLayout{
			table: base.table,
			specs: slices.Clone(base.specs),
			types: slices.Clone(base.types),
			index: make(map[string]int, len(base.index)+len(ms)),
			mats:  map[int]map[string]int{},
		}
		for k, v := range base.index {
			l.index[k] = v
		}
		for _, m := range ms {
			j := len(l.specs)
			l.specs = append(l.specs, &vspec{kind: kStr, nullable: true})
			l.types = append(l.types, bindings.CreateLogicalType(bindings.TypeVarchar))
			l.index[m.Column()] = j
			mc := l.col(m.Map)
			if l.mats[mc] == nil {
				l.mats[mc] = map[string]int{}
			}
			l.mats[mc][m.Key] = j
		}
		out[i] = l
	}
	ls, _ := layoutCache.LoadOrStore(key.String(), &out)
	return ls.(*[numTables]*chunkLayout)
}

// Validity of nullable (materialised) vectors: one bit per row, 1 = valid.
// begin makes the mask writable and clears it (every row NULL); setting a
// value marks its row valid. Plain Go stores, no cgo call per row.

func (x *vec) initValidity() {
	bindings.VectorEnsureValidityWritable(x.v)
	x.validity = bindings.VectorGetValidity(x.v)
	clear(unsafe.Slice((*uint64)(x.validity), (vectorSize+63)/64))
}

func (x *vec) setValid(i uint64) {
	w := (*uint64)(unsafe.Add(x.validity, uintptr(i/64)*8))
	*w |= 1 << (i % 64)
}

// materialize copies the attributes of the map just written to column c
// (keys and vals, deduplicated as in the map) into their materialised
// columns.
func (b *chunkBuilder) materialize(c int, keys, vals []string) {
	mk := b.layout.mats[c]
	if mk == nil {
		return
	}
	for i, k := range keys {
		if j, ok := mk[k]; ok {
			x := b.cols[j]
			x.setStr(b.row, vals[i])
			x.setValid(b.row)
		}
	}
}

// FillMaterialized sets every materialised column of db's tables from its
// map, in all rows, in bounded batches. For tools that write rows with
// plain SQL (bench/query generates them with INSERT … SELECT, which leaves
// the columns NULL); the store itself fills them on insert and when it
// adds a column.
func FillMaterialized(ctx context.Context, db *sql.DB) error {
	for _, t := range materializedTables {
		ms, err := physicalMaterialized(ctx, db, t)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			continue
		}
		if _, err := backfill(ctx, db, t, ms, 0, nil); err != nil {
			return err
		}
	}
	return nil
}
