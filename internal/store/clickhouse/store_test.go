package clickhouse

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
	"github.com/overlook-dev/overlook/internal/testing/chdb"
)

// engine is one chdbserver shared by the package's tests (started by
// TestMain); each test gets a database of its own.
var (
	engine    *chdb.Server
	engineErr error
	engineMu  sync.Mutex
	dbs       = map[string]string{}
)

func TestMain(m *testing.M) {
	engine, engineErr = chdb.Launch(chdb.Options{})
	code := m.Run()
	if engine != nil {
		engine.Stop()
		os.RemoveAll(engine.Dir)
	}
	os.Exit(code)
}

func server(t *testing.T) *chdb.Server {
	t.Helper()
	chdb.Require(t)
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// newDatabase creates a database for t (the same one for the same test
// name) and returns its name.
func newDatabase(t *testing.T, s *chdb.Server) string {
	t.Helper()
	engineMu.Lock()
	defer engineMu.Unlock()
	if db, ok := dbs[t.Name()]; ok {
		return db
	}
	db := fmt.Sprintf("t%d", len(dbs)+1)
	c, err := ch.Open(&ch.Options{Protocol: ch.HTTP, Addr: []string{s.Endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Exec(context.Background(), "CREATE DATABASE "+db); err != nil {
		t.Fatal(err)
	}
	dbs[t.Name()] = db
	return db
}

func openTest(t *testing.T, mod func(*Config)) *Store {
	t.Helper()
	s := server(t)
	cfg := Config{Endpoint: "http://" + s.Endpoint, Database: newDatabase(t, s)}
	if mod != nil {
		mod(&cfg)
	}
	st, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestConformance runs the store conformance suite on ClickHouse (chDB).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t, nil) })
}

// TestOpenErrors: bad config fails at start with a message naming the key
// to fix.
func TestOpenErrors(t *testing.T) {
	s := server(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"unreachable", Config{Endpoint: "http://127.0.0.1:1", DialTimeout: 1e9}, "storage::clickhouse::endpoint"},
		{"missing database", Config{Endpoint: "http://" + s.Endpoint, Database: "nodb"}, "has no database \"nodb\""},
		{"bad endpoint", Config{Endpoint: "ftp://x:1"}, "is not http, https or tcp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.cfg, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestTenantIsolation: two tenants' databases on one server (created by
// EnsureDatabase, as the server does for a tenant) never see each other.
func TestTenantIsolation(t *testing.T) {
	s := server(t)
	storetest.RunTenantIsolation(t, func(t *testing.T, tenant string) store.Store {
		cfg := Config{Endpoint: "http://" + s.Endpoint, Database: "iso_" + tenant}
		if err := EnsureDatabase(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		st, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}
