package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/overlook-dev/overlook/internal/meta"
)

// metaTable holds the metadata documents (dashboards) every overlook
// process on the database shares: one row per saved version, a
// ReplacingMergeTree keeping the newest per key.
const metaTable = "overlook_meta"

// metaDDL creates metaTable (on every node of the cluster: replicated,
// not distributed, so any node answers).
func metaDDL(c Config) string {
	engine := "ReplacingMergeTree(Version)"
	on := ""
	if c.Cluster != "" {
		on = " ON CLUSTER " + ident(c.Cluster)
		engine = "ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/" + metaTable + "', '{replica}', Version)"
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s (\n    `Key` String,\n    `Version` UInt64,\n    `Doc` String CODEC(ZSTD(1))\n) ENGINE = %s\nORDER BY Key",
		ident(c.database()), ident(metaTable), on, engine)
}

// MetaDocument returns the shared metadata document key (e.g.
// "dashboards"), or nil when this store cannot share one (read_only, or
// the table is missing).
func (s *Store) MetaDocument(key string) meta.Shared {
	if s.cfg.ReadOnly || !s.metaReady {
		return nil
	}
	return &metaDoc{s: s, key: key}
}

type metaDoc struct {
	s   *Store
	key string
}

var _ meta.Shared = (*metaDoc)(nil)

func (d *metaDoc) Load() ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []byte
	q := fmt.Sprintf("SELECT Doc FROM %s.%s WHERE Key = ? ORDER BY Version DESC LIMIT 1", ident(d.s.db), ident(metaTable))
	err := d.s.scan(ctx, q, []any{d.key}, func(_ []string, v []any) error {
		out = []byte(v[0].(string))
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("load %s from ClickHouse: %w", d.key, err))
	}
	return out, nil
}

func (d *metaDoc) Save(raw []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	q := fmt.Sprintf("INSERT INTO %s.%s (Key, Version, Doc) VALUES (?, ?, ?)", ident(d.s.db), ident(metaTable))
	if err := d.s.conn.Exec(ctx, q, d.key, uint64(time.Now().UnixNano()), string(raw)); err != nil {
		return fmt.Errorf("save %s in ClickHouse: %w", d.key, err)
	}
	return nil
}
