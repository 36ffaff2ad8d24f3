package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// metricMetadataTable holds the metric family metadata remote-write
// senders gave (as the DuckDB store's table of the same name), shared by
// every overlook process on the database: one row per put, a
// ReplacingMergeTree by Version (the put's time) keeping the newest per
// (Tenant, Family); reads take the newest with argMax, so they are right
// before the merge too.
const metricMetadataTable = "overlook_metric_metadata"

// metricMetadataMinKeep is the least time a record outlives its last
// refresh (senders refresh at most hourly), as in the DuckDB store.
const metricMetadataMinKeep = 24 * time.Hour

// metricMetadataDDL creates metricMetadataTable; records expire (TTL) a
// day after the metrics retention from their last refresh.
func metricMetadataDDL(c Config) string {
	engine := "ReplacingMergeTree(Version)"
	on := ""
	if c.Cluster != "" {
		on = " ON CLUSTER " + ident(c.Cluster)
		engine = "ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/" + metricMetadataTable + "', '{replica}', Version)"
	}
	ttl := ""
	if c.TTL.Metrics > 0 {
		ttl = fmt.Sprintf("\nTTL toDateTime(LastSeen) + toIntervalSecond(%d)", int64(max(c.TTL.Metrics, metricMetadataMinKeep)/time.Second))
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s (\n    `Tenant` String,\n    `Family` String,\n    `Type` LowCardinality(String),\n    `Unit` String,\n    `Help` String CODEC(ZSTD(1)),\n    `LastSeen` DateTime64(9),\n    `Version` UInt64\n) ENGINE = %s\nORDER BY (Tenant, Family)%s",
		ident(c.database()), ident(metricMetadataTable), on, engine, ttl)
}

var (
	_ store.MetricMetadataStore = (*Store)(nil)
	_ store.MetricDescriber     = (*Store)(nil)
)

// PutMetricMetadata replaces the records of the families of mds (the last
// record of a family in mds wins) with one INSERT, returned once
// ClickHouse wrote it; see store.MetricMetadataStore.
func (s *Store) PutMetricMetadata(ctx context.Context, mds []store.MetricFamilyMetadata) error {
	if len(mds) == 0 {
		return nil
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	if s.cfg.ReadOnly {
		return fmt.Errorf("put metric metadata: %w: %w", store.ErrInvalidArgument, ErrReadOnly)
	}
	if !s.present[metricMetadataTable] {
		return fmt.Errorf("put metric metadata: %w: table %s is missing in ClickHouse database %q (storage::clickhouse::create_schema)", store.ErrUnavailable, metricMetadataTable, s.db)
	}
	last := map[string]int{}
	for i, md := range mds {
		if md.Family == "" {
			return fmt.Errorf("put metric metadata: %w: empty family name", store.ErrInvalidArgument)
		}
		last[md.Family] = i
	}
	b, err := s.conn.PrepareBatch(ctx, fmt.Sprintf("INSERT INTO %s.%s (Tenant, Family, Type, Unit, Help, LastSeen, Version)", ident(s.db), ident(metricMetadataTable)))
	if err != nil {
		return readErr(fmt.Errorf("put metric metadata: %w", err))
	}
	version := uint64(time.Now().UnixNano())
	for i, md := range mds {
		if last[md.Family] != i {
			continue
		}
		if err := b.Append("", str(md.Family), str(md.Type), str(md.Unit), str(md.Help), md.Seen.UTC(), version); err != nil {
			_ = b.Abort()
			return fmt.Errorf("put metric metadata of %s: %w", md.Family, err)
		}
	}
	if err := b.Send(); err != nil {
		return readErr(fmt.Errorf("put metric metadata: %w", err))
	}
	return nil
}

// MetricMetadata returns every family's newest record, sorted by family;
// none when the database has no metadata table (read_only on a database
// overlook did not create).
func (s *Store) MetricMetadata(ctx context.Context) ([]store.MetricFamilyMetadata, error) {
	if !s.present[metricMetadataTable] {
		return nil, nil
	}
	q := fmt.Sprintf(`SELECT Family, argMax(Type, Version), argMax(Unit, Version), argMax(Help, Version), argMax(LastSeen, Version)
FROM %s.%s WHERE Tenant = '' GROUP BY Family ORDER BY Family`, ident(s.db), ident(metricMetadataTable))
	rows, err := s.conn.Query(ctx, q)
	if err != nil {
		return nil, readErr(fmt.Errorf("read metric metadata: %w", err))
	}
	defer rows.Close()
	var out []store.MetricFamilyMetadata
	for rows.Next() {
		var md store.MetricFamilyMetadata
		if err := rows.Scan(&md.Family, &md.Type, &md.Unit, &md.Help, &md.Seen); err != nil {
			return nil, fmt.Errorf("read metric metadata: %w", err)
		}
		md.Seen = md.Seen.UTC()
		out = append(out, md)
	}
	if err := rows.Err(); err != nil {
		return nil, readErr(fmt.Errorf("read metric metadata: %w", err))
	}
	return out, nil
}

// MetricDescriptions returns a non-empty description per named metric
// with points in [start, end], over every metrics table; see
// store.MetricDescriber.
func (s *Store) MetricDescriptions(ctx context.Context, start, end time.Time, names []string) (map[string]string, error) {
	out := map[string]string{}
	if len(names) == 0 {
		return out, nil
	}
	var parts []string
	var args []any
	for _, t := range metricTables {
		if s.columns[t.Name] == nil {
			continue
		}
		parts = append(parts, "SELECT MetricName, MetricDescription FROM "+s.table(t.Name)+
			" WHERE TimeUnix >= ? AND TimeUnix <= ? AND MetricDescription != '' AND has(?, MetricName)")
		args = append(args, clamp(start), clamp(end), names)
	}
	if len(parts) == 0 {
		return out, nil
	}
	q := "SELECT MetricName, max(MetricDescription) FROM (" + strings.Join(parts, " UNION ALL ") + ") GROUP BY MetricName"
	err := s.scan(ctx, q, args, func(_ []string, v []any) error {
		out[v[0].(string)] = v[1].(string)
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("read metric descriptions: %w", err))
	}
	return out, nil
}
