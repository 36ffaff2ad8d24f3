package storeexporter

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/overlook-dev/overlook/internal/ingest/limits"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// recordingStore is a store.Store that keeps what InsertLogs and
// InsertSessions were given (the rest of the interface is unused).
type recordingStore struct {
	store.Store
	logs, sessions []plog.Logs
}

func (r *recordingStore) InsertLogs(_ context.Context, ld plog.Logs) error {
	r.logs = append(r.logs, ld)
	return nil
}

func (r *recordingStore) InsertSessions(_ context.Context, ld plog.Logs) error {
	r.sessions = append(r.sessions, ld)
	return nil
}

type provider struct{ st store.Store }

func (p provider) Store() store.Store { return p.st }

func (p provider) StoreFor(context.Context, string) (store.Store, error) { return p.st, nil }

// TestLogsTableSessions: with logs_table_name: hyperdx_sessions the records
// go to InsertSessions, and a recording chunk longer than
// max_log_body_length (the SDK's chunks reach 950 KiB) is kept whole; in
// otel_logs the same body is cut.
func TestLogsTableSessions(t *testing.T) {
	body := strings.Repeat("x", 900<<10)
	for _, tc := range []struct {
		table        string
		wantSessions bool
		wantLen      int
	}{
		{"", false, 256 << 10},
		{"hyperdx_sessions", true, 900 << 10},
	} {
		t.Run(tc.table, func(t *testing.T) {
			st := &recordingStore{}
			e := newExporter(&Config{LogsTableName: tc.table}, exportertest.NewNopSettings(Type), telemetry.New())
			e.provider = provider{st}
			e.limits = limits.Limits{MaxLogBodyLength: 256 << 10}
			ld := plog.NewLogs()
			ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(body)
			if err := e.pushLogs(context.Background(), ld); err != nil {
				t.Fatal(err)
			}
			got := st.logs
			if tc.wantSessions {
				got = st.sessions
			}
			if len(got) != 1 || len(st.logs)+len(st.sessions) != 1 {
				t.Fatalf("logs %d, sessions %d", len(st.logs), len(st.sessions))
			}
			if n := len(got[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str()); n != tc.wantLen {
				t.Errorf("stored body %d bytes, want %d", n, tc.wantLen)
			}
		})
	}
}
