package clickhouse

import (
	"context"
	"testing"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// renamedTables renames every table (storage::clickhouse::tables).
func renamedTables(c *Config) {
	c.Tables = TablesConfig{Logs: "app_logs", Traces: "app_spans", MetricsGauge: "app_gauge", MetricsSum: "app_sum",
		MetricsHistogram: "app_hist", MetricsExponentialHisto: "app_exphist", MetricsSummary: "app_summary", Sessions: "app_sessions"}
}

// TestConformanceRenamedTables runs the whole conformance suite (search,
// traces, charts, value lists, metrics, exemplars, sessions, analysis,
// metadata) on a database whose tables all have other names: no schema
// name exists there, so a read that ignored the renames would fail.
func TestConformanceRenamedTables(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := openTest(t, renamedTables)
		checkNoSchemaTables(t, s)
		return s
	})
}

func checkNoSchemaTables(t *testing.T, s *Store) {
	t.Helper()
	c, err := ch.Open(&ch.Options{Protocol: ch.HTTP, Addr: []string{server(t).Endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n uint64
	if err := c.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = ? AND (name LIKE 'otel\\_%' OR name = 'hyperdx_sessions')", s.db).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d tables under the schema's names in %s", n, s.db)
	}
}

// TestRenameTables: identifiers are renamed, string literals, qualified
// names and longer words are not.
func TestRenameTables(t *testing.T) {
	s := &Store{renamed: renames(TablesConfig{Logs: "app_logs", Traces: "app_spans"}.names())}
	for _, tc := range []struct{ in, want string }{
		{`SELECT count() FROM "otel_logs" WHERE Body = 'otel_logs'`, "SELECT count() FROM `app_logs` WHERE Body = 'otel_logs'"},
		{"SELECT * FROM otel_traces AS t JOIN `otel_traces_trace_id_ts` USING TraceId", "SELECT * FROM `app_spans` AS t JOIN `app_spans_trace_id_ts` USING TraceId"},
		{`SELECT otel_traces_x, db.otel_logs, 'it\'s otel_logs' FROM otel_metrics_gauge`, `SELECT otel_traces_x, db.otel_logs, 'it\'s otel_logs' FROM otel_metrics_gauge`},
	} {
		if got := s.renameTables(tc.in); got != tc.want {
			t.Errorf("renameTables(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
	if s := (&Store{}); s.renameTables("FROM otel_logs") != "FROM otel_logs" {
		t.Error("rewrote without renames")
	}
}
