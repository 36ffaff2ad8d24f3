package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// downStore is a store whose database is down: Health says why and reads
// fail with the engine's own error.
type downStore struct {
	store.Store
	health error
}

func (d downStore) Health() error { return d.health }

func (d downStore) Search(context.Context, store.SearchParams) (store.SearchResult, error) {
	return store.SearchResult{}, errors.New("search logs: FATAL Error: database has been invalidated")
}

// TestStoreDownAnswers503 checks that /ready turns 503 with the store's
// reason, and that a read failing meanwhile is a retryable 503 with that
// reason rather than a 500.
func TestStoreDownAnswers503(t *testing.T) {
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	reason := fmt.Errorf("%w: %w: it was invalidated by a fatal I/O error (disk full)", store.ErrUnavailable, store.ErrDown)
	for _, tc := range []struct {
		name       string
		health     error
		wantReady  int
		wantSearch int
	}{
		{"down", reason, 503, 503},
		{"below disk floor", fmt.Errorf("%w: free disk space is below the floor (min_free_disk)", store.ErrUnavailable), 503, 500},
		{"healthy", nil, 200, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := New(Options{Store: downStore{Store: st, health: tc.health}, Metrics: telemetry.New(),
				Logger: slog.New(slog.DiscardHandler)})
			a.SetReady(true)
			srv := httptest.NewServer(a)
			defer srv.Close()
			code, out := do(t, "GET", srv.URL+"/ready", "")
			if code != tc.wantReady {
				t.Errorf("/ready: %d %v, want %d", code, out, tc.wantReady)
			}
			if tc.health != nil && !strings.Contains(fmt.Sprint(out["error"]), tc.health.Error()) {
				t.Errorf("/ready body %v does not give the reason %q", out, tc.health)
			}
			now := time.Now().UTC()
			body := `{"source":"logs","query":"","start":"` + now.Add(-time.Hour).Format(time.RFC3339) +
				`","end":"` + now.Format(time.RFC3339) + `"}`
			code, out = do(t, "POST", srv.URL+"/api/search", body)
			if code != tc.wantSearch {
				t.Errorf("search: %d %v, want %d", code, out, tc.wantSearch)
			}
			if code == 503 && !strings.Contains(fmt.Sprint(out["error"]), "invalidated by a fatal I/O error") {
				t.Errorf("search 503 body %v does not give the store's reason", out)
			}
		})
	}
}
