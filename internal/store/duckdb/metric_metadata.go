package duckdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// metricMetadataTable holds one record per Prometheus metric family: the
// type, unit and help a remote-write sender last gave (schema version 4).
// Tenant is "" for now; it is part of the key so that a multi-tenant
// release needs no migration.
const metricMetadataTable = "overlook_metric_metadata"

const metricMetadataDDL = "CREATE TABLE IF NOT EXISTS " + metricMetadataTable + ` (
  Tenant VARCHAR NOT NULL DEFAULT '',
  Family VARCHAR NOT NULL,
  Type VARCHAR NOT NULL,
  Unit VARCHAR NOT NULL,
  Help VARCHAR NOT NULL,
  LastSeen TIMESTAMP NOT NULL,
  PRIMARY KEY (Tenant, Family)
)`

var _ store.MetricMetadataStore = (*Store)(nil)

// metadataMinKeep is the least time a family's record outlives its last
// refresh: senders refresh records at most hourly (internal/promapi), so
// a record of a family still being sent is never expired, however short
// the metrics retention.
const metadataMinKeep = 24 * time.Hour

// expireMetricMetadata deletes the records of families whose metadata
// was last sent before cutoff (retention: by then their samples are gone
// too) and returns how many it deleted.
func (s *Store) expireMetricMetadata(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM "+metricMetadataTable+" WHERE LastSeen < ?", cutoff.UTC())
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// PutMetricMetadata replaces the records of the families of mds in one
// transaction, committed (the WAL fsynced) before it returns; see
// store.MetricMetadataStore. The last record of a family in mds wins.
func (s *Store) PutMetricMetadata(ctx context.Context, mds []store.MetricFamilyMetadata) error {
	if len(mds) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put metric metadata: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	const q = "INSERT INTO " + metricMetadataTable + ` (Tenant, Family, Type, Unit, Help, LastSeen)
	VALUES ('', ?, ?, ?, ?, ?) ON CONFLICT (Tenant, Family) DO UPDATE SET
	Type = excluded.Type, Unit = excluded.Unit, Help = excluded.Help, LastSeen = excluded.LastSeen`
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return fmt.Errorf("put metric metadata: %w", err)
	}
	defer stmt.Close()
	for _, md := range mds {
		if md.Family == "" {
			return fmt.Errorf("put metric metadata: %w: empty family name", store.ErrInvalidArgument)
		}
		if _, err := stmt.ExecContext(ctx, md.Family, md.Type, md.Unit, md.Help, md.Seen.UTC()); err != nil {
			return fmt.Errorf("put metric metadata of %s: %w", md.Family, err)
		}
	}
	s.gate.enter()
	defer s.gate.leave()
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put metric metadata: %w", err)
	}
	return nil
}

// MetricMetadata returns every family's record, sorted by family; see
// store.MetricMetadataStore.
func (s *Store) MetricMetadata(ctx context.Context) ([]store.MetricFamilyMetadata, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT Family, Type, Unit, Help, LastSeen FROM "+metricMetadataTable+
		" WHERE Tenant = '' ORDER BY Family")
	if err != nil {
		return nil, fmt.Errorf("read metric metadata: %w", err)
	}
	defer rows.Close()
	var out []store.MetricFamilyMetadata
	for rows.Next() {
		var (
			md   store.MetricFamilyMetadata
			seen time.Time
		)
		if err := rows.Scan(&md.Family, &md.Type, &md.Unit, &md.Help, &seen); err != nil {
			return nil, fmt.Errorf("read metric metadata: %w", err)
		}
		md.Seen = seen.UTC()
		out = append(out, md)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read metric metadata: %w", err)
	}
	return out, nil
}

var _ store.MetricDescriber = (*Store)(nil)

// MetricDescriptions returns a non-empty description per named metric
// with points in [start, end] over all metrics tables; see
// store.MetricDescriber. It reads the description column of the named
// metrics' rows only.
func (s *Store) MetricDescriptions(ctx context.Context, start, end time.Time, names []string) (map[string]string, error) {
	out := map[string]string{}
	if len(names) == 0 {
		return out, nil
	}
	parts := make([]string, len(metricsTables))
	for i, t := range metricsTables {
		parts[i] = "SELECT MetricName, MetricDescription FROM " + quoteIdent(t.Name) +
			" WHERE TimeUnix BETWEEN ? AND ? AND MetricDescription <> '' AND list_contains(?::VARCHAR[], MetricName)"
	}
	q := "SELECT MetricName, max(MetricDescription) FROM (" + strings.Join(parts, " UNION ALL ") + ") GROUP BY MetricName"
	args := make([]any, 0, 3*len(metricsTables))
	for range metricsTables {
		args = append(args, start.UTC(), end.UTC(), names)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read metric descriptions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, desc string
		if err := rows.Scan(&name, &desc); err != nil {
			return nil, fmt.Errorf("read metric descriptions: %w", err)
		}
		out[name] = desc
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read metric descriptions: %w", err)
	}
	return out, nil
}
