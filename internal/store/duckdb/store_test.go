package duckdb

import (
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("OVERLOOK_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// opener opens one data dir per test, the same one when a test reopens.
func opener(cfg Config) storetest.Opener {
	var mu sync.Mutex
	dirs := map[*testing.T]string{}
	return func(t *testing.T) store.Store {
		mu.Lock()
		dir, ok := dirs[t]
		if !ok {
			dir = filepath.Join(t.TempDir(), "data")
			dirs[t] = dir
		}
		mu.Unlock()
		c := cfg
		c.Dir = dir
		s, err := Open(c, testLogger(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	}
}

func TestConformance(t *testing.T) {
	for _, layout := range []string{LayoutParts, LayoutDuckDB} {
		t.Run(layout, func(t *testing.T) {
			storetest.Run(t, opener(Config{Layout: layout}))
		})
	}
}

func TestOverload(t *testing.T) {
	for name, cfg := range map[string]Config{
		LayoutDuckDB: {Layout: LayoutDuckDB, MaxPendingRows: 300},
		LayoutParts:  {Layout: LayoutParts, Parts: PartsConfig{MaxBufferedBytes: 1 << 20}},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Dir = t.TempDir()
			s, err := Open(cfg, testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			storetest.RunOverload(t, s)
		})
	}
}

// TestTenantIsolation: two tenants' stores, in two directories under one
// root (as the server keeps them), never see each other.
func TestTenantIsolation(t *testing.T) {
	for _, layout := range []string{LayoutParts, LayoutDuckDB} {
		t.Run(layout, func(t *testing.T) {
			root := t.TempDir()
			storetest.RunTenantIsolation(t, func(t *testing.T, tenant string) store.Store {
				s, err := Open(Config{Dir: filepath.Join(root, "tenants", tenant), Layout: layout}, testLogger(t))
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return s
			})
		})
	}
}
