package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/schema"
)

// metricsTables are the tables of metric points, with their kinds'
// identity columns (see identity in metrics_select.go).
var metricsTables = []*schema.Table{&schema.MetricsGauge, &schema.MetricsSum,
	&schema.MetricsHistogram, &schema.MetricsExpHistogram, &schema.MetricsSummary}

// migrate creates the schema, migrates an older one and records the
// version:
//
//	1 → 2: materialised attribute columns (materialized.go): the default
//	       ones are added and filled from the maps.
//	2 → 3: the metrics tables' new columns (schema.SeriesFingerprint,
//	       the exponential histograms' ZeroThreshold, the histogram
//	       tables' Prometheus extension columns) are added; fingerprints
//	       are computed for the rows already stored (fingerprint_fill.go).
//	3 → 4: the metric family metadata table (metric_metadata.go) is
//	       created, empty; nothing to fill.
//
// Column additions commit first; backfills then run in bounded batches
// (backfill.go) and resume after a crash; the version is recorded last.
// Configured materialised columns the database lacks are added and filled
// at every open.
func (s *Store) migrate() error {
	ctx := context.Background()
	v, err := s.migrateColumns(ctx)
	if err != nil {
		return err
	}
	if err := runMaterializedBackfills(ctx, s.db, s.log); err != nil {
		return fmt.Errorf("migrate to schema version %d: %w", schemaVersion, err)
	}
	if err := fillFingerprints(ctx, s.db, s.log); err != nil {
		return fmt.Errorf("migrate to schema version %d: %w", schemaVersion, err)
	}
	if !v.Valid || v.Int64 < schemaVersion {
		if v.Valid {
			s.log.Info("migrated database schema", "path", s.path, "from", v.Int64, "to", schemaVersion)
		}
		if _, err := s.db.ExecContext(ctx, "INSERT INTO "+versionTable+" (version) VALUES (?)", schemaVersion); err != nil {
			return fmt.Errorf("record schema version: %w", err)
		}
	}
	return nil
}

// migrateColumns creates the schema and adds the columns an older one
// lacks, in one transaction, and returns the version recorded before.
func (s *Store) migrateColumns(ctx context.Context) (sql.NullInt64, error) {
	var v sql.NullInt64
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return v, fmt.Errorf("migrate: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, q := range ddl() {
		if _, err := tx.Exec(q); err != nil {
			return v, fmt.Errorf("create schema: %w\n%s", err, q)
		}
	}
	if err := tx.QueryRow("SELECT max(version) FROM " + versionTable).Scan(&v); err != nil {
		return v, fmt.Errorf("read schema version: %w", err)
	}
	if v.Int64 > schemaVersion {
		return v, fmt.Errorf("database %s has schema version %d, newer than this overlook (%d): upgrade overlook",
			s.path, v.Int64, schemaVersion)
	}
	want, err := s.cfg.materializedSet()
	if err != nil {
		return v, fmt.Errorf("migrate: %w", err)
	}
	if s.mat, err = ensureMaterialized(ctx, tx, want); err != nil {
		return v, fmt.Errorf("migrate to schema version %d: %w", schemaVersion, err)
	}
	if err := tx.Commit(); err != nil {
		return v, fmt.Errorf("migrate: %w", err)
	}
	for _, t := range metricsTables {
		if err := addMissingColumns(ctx, s.db, t); err != nil {
			return v, fmt.Errorf("migrate to schema version %d: %w", schemaVersion, err)
		}
	}
	return v, nil
}

// addMissingColumns adds the columns of t that its table, made by an older
// schema version, lacks: they are the schema's last ones. New columns hold
// their type's zero value in existing rows, but SeriesFingerprint, NULL
// until fillFingerprints computes it. Each column is added in its own
// transaction (DuckDB refuses to commit several ALTERs of one table with
// defaults in one); a partly migrated table gets the rest at the next Open.
func addMissingColumns(ctx context.Context, db *sql.DB, t *schema.Table) error {
	rows, err := db.QueryContext(ctx, `SELECT column_name FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?
		ORDER BY column_index`, t.Name)
	if err != nil {
		return fmt.Errorf("columns of %s: %w", t.Name, err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("columns of %s: %w", t.Name, err)
		}
		names = append(names, n)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("columns of %s: %w", t.Name, err)
	}
	if len(names) > len(t.Columns) {
		return fmt.Errorf("table %s has %d columns, the schema %d", t.Name, len(names), len(t.Columns))
	}
	for i, n := range names {
		if n != t.Columns[i].Name {
			return fmt.Errorf("table %s: column %d is %q, the schema says %q", t.Name, i+1, n, t.Columns[i].Name)
		}
	}
	for _, c := range t.Columns[len(names):] {
		q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", quoteIdent(t.Name), quoteIdent(c.Name), schema.DuckDBType(c))
		if d, ok := existingRowDefaults[c.Name]; ok {
			q += " DEFAULT " + d
		} else if d := zeroDefault(c); d != "" && c.Name != schema.SeriesFingerprint {
			q += " DEFAULT " + d
		}
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("add column %s to %s: %w", c.Name, t.Name, err)
		}
	}
	return nil
}

// existingRowDefaults are the values of added columns in rows stored
// before them that are not their type's zero: rows stored without the
// Has* flags had a sum, min and max as far as readers knew (absent ones
// read as 0, as the ClickHouse exporter stores them).
var existingRowDefaults = map[string]string{"HasSum": "true", "HasMin": "true", "HasMax": "true"}

// zeroDefault is the SQL literal of a column type's zero value ("" for
// types without one here).
func zeroDefault(c schema.Column) string {
	switch c.Type {
	case schema.Int32, schema.UInt8, schema.UInt32, schema.UInt64, schema.Float64:
		return "0"
	case schema.Bool:
		return "false"
	case schema.String:
		return "''"
	case schema.ArrayUInt64, schema.ArrayFloat64:
		return "[]::" + strings.TrimSuffix(schema.DuckDBType(c), "[]") + "[]"
	}
	return ""
}
