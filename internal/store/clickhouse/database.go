package clickhouse

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// EnsureDatabase creates cfg's database unless it exists (CREATE DATABASE
// IF NOT EXISTS, ON CLUSTER with a cluster), connected to the server's
// "default" database. With multitenancy the server calls it for every
// tenant's database (<database>_<tenant>) when create_schema is on; with
// read_only the database must exist and this is not called.
func EnsureDatabase(ctx context.Context, cfg Config) error {
	if err := cfg.RequireEndpoint(); err != nil {
		return err
	}
	addr, useHTTP, err := cfg.address()
	if err != nil {
		return err
	}
	pw, err := cfg.password()
	if err != nil {
		return err
	}
	user := cfg.Username
	if user == "" {
		user = "default"
	}
	opts := &ch.Options{Addr: []string{addr}, Auth: ch.Auth{Database: "default", Username: user, Password: pw},
		DialTimeout: cfg.DialTimeout, Protocol: ch.Native}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 10 * time.Second
	}
	if useHTTP {
		opts.Protocol = ch.HTTP
	}
	if strings.HasPrefix(cfg.Endpoint, "https://") || cfg.TLS.Enabled {
		opts.TLS = &tls.Config{InsecureSkipVerify: cfg.TLS.InsecureSkipVerify} //nolint:gosec // opt-in, documented
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return explainOpen(cfg, addr, err)
	}
	defer conn.Close()
	stmt := "CREATE DATABASE IF NOT EXISTS " + ident(cfg.database())
	if cfg.Cluster != "" {
		stmt += " ON CLUSTER " + ident(cfg.Cluster)
	}
	cctx, cancel := context.WithTimeout(ctx, opts.DialTimeout+30*time.Second)
	defer cancel()
	if err := conn.Exec(cctx, stmt); err != nil {
		return fmt.Errorf("create ClickHouse database %q (a tenant's; storage::clickhouse::create_schema): %w", cfg.database(), err)
	}
	return nil
}

// CreatesSchema says whether Open creates missing tables (create_schema
// on, not read_only).
func (c Config) CreatesSchema() bool { return c.createSchema() }
