package clickhouse

import (
	"context"
	"fmt"
	"sort"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
)

// Materialised attribute columns on ClickHouse (schema.Materialized): a
// column `__hdx_materialized_…` LowCardinality(String) MATERIALIZED
// m['key'], ClickStack's form ('' when the key is absent). The defaults
// (schema.DefaultMaterialized) and storage::materialized_attributes are
// added to the logs and spans tables at Open when the store creates its
// schema (ALTER TABLE … ADD COLUMN IF NOT EXISTS: ClickHouse computes the
// value for parts written before on read, so answers are right at once).
// Reads use every materialised column the tables have — also ClickStack's
// own on a read_only database — through query.WithMaterialized.

// materializedSet is the wanted set: the defaults plus
// Config.MaterializedAttributes ("traces"/"logs" → "Map.key" paths).
func (c Config) materializedSet() (schema.MaterializedSet, error) {
	set := schema.Default()
	names := make([]string, 0, len(c.MaterializedAttributes))
	for n := range c.MaterializedAttributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		src, ok := schema.SourceByName(n)
		if !ok || (src.Table.Name != schema.TracesTable && src.Table.Name != schema.LogsTable) {
			return nil, fmt.Errorf("storage::materialized_attributes: unknown source %q: use traces or logs", n)
		}
		for _, path := range c.MaterializedAttributes[n] {
			m, err := schema.ParseMaterializedPath(src.Table, path)
			if err != nil {
				return nil, fmt.Errorf("storage::materialized_attributes of %s: %w", n, err)
			}
			set = set.With(src.Table.Name, m)
		}
	}
	return set, nil
}

// materializedTables are the tables with materialised columns.
var materializedTables = []*schema.Table{&schema.Traces, &schema.Logs}

// ensureMaterialized adds the wanted columns the tables lack and returns
// the statements it ran.
func (s *Store) ensureMaterialized(ctx context.Context, want schema.MaterializedSet) error {
	for _, t := range materializedTables {
		if s.columns[t.Name] == nil {
			continue
		}
		for _, m := range want[t.Name] {
			if s.has(t.Name, m.Column()) {
				continue
			}
			for _, stmt := range s.addMaterializedDDL(t, m) {
				if err := s.conn.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("add the materialised column %s to %s (storage::materialized_attributes): %w", m.Column(), s.names[t.Name], err)
				}
			}
		}
	}
	return nil
}

// addMaterializedDDL is the ALTER adding m's column to t (on a cluster:
// to the local tables, and to the Distributed table so it can be read).
func (s *Store) addMaterializedDDL(t *schema.Table, m schema.Materialized) []string {
	col := fmt.Sprintf("%s LowCardinality(String) MATERIALIZED %s[%s]", ident(m.Column()), ident(m.Map), quoteString(m.Key))
	name := s.names[t.Name]
	if s.cfg.Cluster == "" {
		return []string{fmt.Sprintf("ALTER TABLE %s.%s ADD COLUMN IF NOT EXISTS %s", ident(s.db), ident(name), col)}
	}
	on := " ON CLUSTER " + ident(s.cfg.Cluster)
	return []string{
		fmt.Sprintf("ALTER TABLE %s.%s%s ADD COLUMN IF NOT EXISTS %s", ident(s.db), ident(name+"_local"), on, col),
		fmt.Sprintf("ALTER TABLE %s.%s%s ADD COLUMN IF NOT EXISTS %s", ident(s.db), ident(name), on, col),
	}
}

// presentMaterialized is every materialised column the tables have.
func (s *Store) presentMaterialized() schema.MaterializedSet {
	set := schema.MaterializedSet{}
	for _, t := range materializedTables {
		var cols []string
		for c := range s.columns[t.Name] {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		for _, c := range cols {
			if m, ok := schema.ParseMaterialized(t, c); ok {
				set = set.With(t.Name, m)
			}
		}
	}
	return set
}

// useMaterialized makes reads use the materialised columns present.
func (s *Store) useMaterialized() {
	s.mat = s.presentMaterialized()
	s.dialect = query.WithMaterialized(query.ClickHouse, s.mat)
}
