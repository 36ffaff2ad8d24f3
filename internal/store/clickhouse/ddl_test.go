package clickhouse

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden DDL files")

// TestDDLGolden pins the DDL: single node and ON CLUSTER (Replicated +
// Distributed). Refresh with -update after a deliberate change.
func TestDDLGolden(t *testing.T) {
	week := 7 * 24 * time.Hour
	for _, tc := range []struct {
		file string
		cfg  Config
	}{
		{"ddl_single.sql", Config{Database: "otel", TTL: store.Retention{Logs: week, Traces: week, Metrics: week}}},
		{"ddl_cluster.sql", Config{Database: "otel", Cluster: "prod", TTL: store.Retention{Logs: 72 * time.Hour}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := strings.Join(DDL(tc.cfg), ";\n\n") + ";\n"
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("DDL differs from %s (run with -update after a deliberate change):\n%s", path, got)
			}
		})
	}
}
