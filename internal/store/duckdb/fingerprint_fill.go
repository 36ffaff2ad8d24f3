package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// fingerprintMapTable maps DuckDB's hash of a series' identity columns to
// its SeriesFingerprint while fillFingerprints runs.
const fingerprintMapTable = "overlook_fingerprint_map"

// fillFingerprints computes SeriesFingerprint for the rows of the metrics
// tables that lack it (rows stored before schema version 3), exactly as
// the insert path does (fingerprint.go): the distinct identities are read
// once, fingerprinted in Go and stored keyed by DuckDB's hash() of the
// identity columns; then the rows are updated from that map in bounded
// batches (batchedUpdate). Rows already filled are left alone, so an
// interrupted fill resumes at the next Open. A table without NULL
// fingerprints costs one scan of the column.
func fillFingerprints(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	for _, t := range metricsTables {
		kind := kindOfTable(t)
		var missing int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(t.Name)+" WHERE SeriesFingerprint IS NULL").Scan(&missing); err != nil {
			return fmt.Errorf("count rows without fingerprints in %s: %w", t.Name, err)
		}
		if missing == 0 {
			continue
		}
		began := time.Now()
		series, err := buildFingerprintMap(ctx, db, t, kind)
		if err != nil {
			return err
		}
		end, err := rowidEnd(ctx, db, t.Name)
		if err != nil {
			return err
		}
		tn := quoteIdent(t.Name)
		n, err := batchedUpdate(ctx, db, t.Name, "SeriesFingerprint = m.fp", fingerprintMapTable+" m",
			tn+".SeriesFingerprint IS NULL AND m.h = "+identityHash(kind, tn), nil, 0, end, nil)
		if err != nil {
			return fmt.Errorf("fill fingerprints: %w", err)
		}
		if _, err := db.ExecContext(ctx, "DROP TABLE "+fingerprintMapTable); err != nil {
			return fmt.Errorf("fill fingerprints of %s: %w", t.Name, err)
		}
		if n != missing {
			return fmt.Errorf("fill fingerprints of %s: filled %d rows of %d", t.Name, n, missing)
		}
		log.Info("computed series fingerprints", "table", t.Name, "rows", n, "series", series,
			"took", time.Since(began).Round(time.Millisecond))
	}
	return nil
}

// kindOfTable is the metric kind stored in table t.
func kindOfTable(t *schema.Table) store.MetricKind {
	for _, k := range []store.MetricKind{store.MetricGauge, store.MetricSum, store.MetricHistogram,
		store.MetricExpHistogram, store.MetricSummary} {
		if mt, _ := metricTable(k); mt == t {
			return k
		}
	}
	panic("BUG: " + t.Name + " is not a metrics table")
}

// identityHash is DuckDB's hash of the identity columns of kind, qualified
// with table (may be "").
func identityHash(kind store.MetricKind, table string) string {
	cols := identity(kind)
	if table != "" {
		for i, c := range cols {
			cols[i] = table + "." + c
		}
	}
	return "hash(" + strings.Join(cols, ", ") + ")"
}

// buildFingerprintMap (re)creates fingerprintMapTable for the identities
// of t's rows without a fingerprint and returns how many there are.
func buildFingerprintMap(ctx context.Context, db *sql.DB, t *schema.Table, kind store.MetricKind) (int, error) {
	for _, q := range []string{"DROP TABLE IF EXISTS " + fingerprintMapTable,
		"CREATE TABLE " + fingerprintMapTable + " (h UBIGINT NOT NULL, fp UBIGINT NOT NULL)"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("fill fingerprints of %s: %w", t.Name, err)
		}
	}
	extra := "false, 0::INTEGER"
	switch kind {
	case store.MetricSum:
		extra = "IsMonotonic, AggregationTemporality"
	case store.MetricHistogram, store.MetricExpHistogram:
		extra = "false, AggregationTemporality"
	}
	q := fmt.Sprintf(`SELECT DISTINCT ON (h) %s AS h, MetricName, MetricUnit, ScopeName, ServiceName,
	ResourceAttributes, Attributes, %s FROM %s WHERE SeriesFingerprint IS NULL`, identityHash(kind, ""), extra, quoteIdent(t.Name))
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("read series of %s: %w", t.Name, err)
	}
	defer rows.Close()
	var pairs []uint64 // h, fp
	for rows.Next() {
		var (
			h          uint64
			id         seriesIdentity
			res, attrs duckdb.Map
		)
		if err := rows.Scan(&h, &id.name, &id.unit, &id.scope, &id.svc, &res, &attrs, &id.mono, &id.temp); err != nil {
			return 0, fmt.Errorf("read series of %s: %w", t.Name, err)
		}
		id.res, id.attrs = duckMapHash(res), duckMapHash(attrs)
		pairs = append(pairs, h, id.fingerprint())
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read series of %s: %w", t.Name, err)
	}
	const perInsert = 512
	for len(pairs) > 0 {
		chunk := pairs[:min(len(pairs), 2*perInsert)]
		pairs = pairs[len(chunk):]
		args := make([]any, len(chunk))
		for i, v := range chunk {
			// database/sql refuses uint64 values with the high bit set.
			args[i] = strconv.FormatUint(v, 10)
		}
		ins := "INSERT INTO " + fingerprintMapTable + " VALUES " +
			strings.TrimSuffix(strings.Repeat("(?::UBIGINT, ?::UBIGINT), ", len(chunk)/2), ", ")
		if _, err := db.ExecContext(ctx, ins, args...); err != nil {
			return 0, fmt.Errorf("fill fingerprints of %s: %w", t.Name, err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+fingerprintMapTable).Scan(&n); err != nil {
		return 0, fmt.Errorf("fill fingerprints of %s: %w", t.Name, err)
	}
	return n, nil
}

// duckMapHash is attrsHash of a MAP(VARCHAR, VARCHAR) read through
// database/sql (NULL values read as "", as the insert path never stores
// them).
func duckMapHash(m duckdb.Map) uint64 {
	keys := make([]string, 0, len(m))
	vals := make([]string, 0, len(m))
	for k, v := range m {
		ks, _ := k.(string)
		vs, _ := v.(string)
		keys = append(keys, ks)
		vals = append(vals, vs)
	}
	return attrsHash(keys, vals)
}
