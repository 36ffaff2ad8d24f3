package clickhouse

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// Config configures the ClickHouse store
// (extensions::overlook::storage::clickhouse; docs/scale-out.md).
type Config struct {
	// Endpoint is the server: http://host:8123 or https://host:8443 (the
	// HTTP interface), or tcp://host:9000 (the native protocol). A bare
	// host:port is HTTP.
	Endpoint string `mapstructure:"endpoint"`
	// Database holds the tables. Default "default". It must exist: overlook
	// creates tables, never databases.
	Database string `mapstructure:"database"`
	// Username and Password authenticate; PasswordFile, when set, is read
	// for the password (trailing newline trimmed). Default user "default".
	Username     string `mapstructure:"username"`
	Password     string `mapstructure:"password"`
	PasswordFile string `mapstructure:"password_file"`
	// TLS turns TLS on for tcp:// endpoints (https:// always uses TLS);
	// InsecureSkipVerify skips certificate checks (tests only).
	TLS TLSConfig `mapstructure:"tls"`
	// Cluster, when set, creates the tables ON CLUSTER: Replicated*MergeTree
	// tables named <table>_local and Distributed tables under the schema's
	// names (docs/scale-out.md).
	Cluster string `mapstructure:"cluster"`
	// AsyncInsert inserts with async_insert=1 and wait_for_async_insert=1:
	// the server batches small inserts and answers once they are written,
	// so acknowledgement still means committed. Default false.
	AsyncInsert bool `mapstructure:"async_insert"`
	// TTL is how long rows are kept, per signal (TTL clauses of created
	// tables); zero keeps forever. Set from storage::retention.
	TTL store.Retention `mapstructure:"-"`
	// ReadOnly reads an existing database (e.g. one ClickStack's collector
	// writes): no DDL, no writes (exports are refused permanently).
	ReadOnly bool `mapstructure:"read_only"`
	// CreateSchema creates missing tables at start (the exporter's tables
	// as ClickStack deploys them, plus overlook's columns). Default true;
	// ignored with ReadOnly.
	CreateSchema *bool `mapstructure:"create_schema"`
	// Tables renames tables (e.g. logs: hyperdx_logs); empty keeps the
	// schema's names.
	Tables TablesConfig `mapstructure:"tables"`
	// MaterializedAttributes adds materialised attribute columns to the
	// logs and spans tables (storage::materialized_attributes: "traces" or
	// "logs" → "Map.key" paths), besides schema.DefaultMaterialized.
	MaterializedAttributes map[string][]string `mapstructure:"-"`
	// DialTimeout bounds connecting; default 10s.
	DialTimeout time.Duration `mapstructure:"dial_timeout"`
}

// TLSConfig is the TLS of the native protocol.
type TLSConfig struct {
	Enabled            bool `mapstructure:"enabled"`
	InsecureSkipVerify bool `mapstructure:"insecure_skip_verify"`
}

// TablesConfig names the tables.
type TablesConfig struct {
	Logs                    string `mapstructure:"logs"`
	Traces                  string `mapstructure:"traces"`
	MetricsGauge            string `mapstructure:"metrics_gauge"`
	MetricsSum              string `mapstructure:"metrics_sum"`
	MetricsHistogram        string `mapstructure:"metrics_histogram"`
	MetricsExponentialHisto string `mapstructure:"metrics_exponential_histogram"`
	MetricsSummary          string `mapstructure:"metrics_summary"`
	// Sessions is the browser session recordings' table (ClickStack's
	// hyperdx_sessions).
	Sessions string `mapstructure:"sessions"`
}

// names maps each schema table to its name in the database.
func (t TablesConfig) names() map[string]string {
	out := map[string]string{}
	for _, tb := range schema.Tables {
		out[tb.Name] = tb.Name
	}
	out[schema.SessionsTable] = schema.SessionsTable
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set(schema.LogsTable, t.Logs)
	set(schema.TracesTable, t.Traces)
	if t.Traces != "" {
		out[schema.TraceIDTsTable] = t.Traces + "_trace_id_ts"
	}
	set(schema.MetricsGaugeTable, t.MetricsGauge)
	set(schema.MetricsSumTable, t.MetricsSum)
	set(schema.MetricsHistogramTable, t.MetricsHistogram)
	set(schema.MetricsExpHistogramTable, t.MetricsExponentialHisto)
	set(schema.MetricsSummaryTable, t.MetricsSummary)
	set(schema.SessionsTable, t.Sessions)
	return out
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ErrNoEndpoint: backend clickhouse needs storage::clickhouse::endpoint.
var ErrNoEndpoint = errors.New("storage::clickhouse::endpoint is empty: set it to http://host:8123 (HTTP) or tcp://host:9000 (native)")

// Validate checks the keys that are set and says how to fix what is wrong;
// keys are named as in the collector config. An empty Endpoint passes
// (the collector validates this block even when another backend is
// chosen); RequireEndpoint, and Open, refuse it.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Endpoint) != "" {
		if _, _, err := c.address(); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Database != "" && !identRe.MatchString(c.Database) {
		errs = append(errs, fmt.Errorf("storage::clickhouse::database %q is not a plain identifier (letters, digits, _)", c.Database))
	}
	if c.Cluster != "" && !identRe.MatchString(c.Cluster) {
		errs = append(errs, fmt.Errorf("storage::clickhouse::cluster %q is not a plain identifier (letters, digits, _)", c.Cluster))
	}
	if c.Password != "" && c.PasswordFile != "" {
		errs = append(errs, errors.New("storage::clickhouse: set password or password_file, not both"))
	}
	for k, v := range c.Tables.names() {
		if !identRe.MatchString(v) {
			errs = append(errs, fmt.Errorf("storage::clickhouse::tables: name %q for %s is not a plain identifier", v, k))
		}
	}
	return errors.Join(errs...)
}

// RequireEndpoint returns ErrNoEndpoint when Endpoint is empty.
func (c Config) RequireEndpoint() error {
	if strings.TrimSpace(c.Endpoint) == "" {
		return ErrNoEndpoint
	}
	return nil
}

// address parses Endpoint into host:port and whether it speaks HTTP.
func (c Config) address() (hostport string, http bool, err error) {
	e := strings.TrimSpace(c.Endpoint)
	if !strings.Contains(e, "://") {
		return e, true, nil
	}
	u, err := url.Parse(e)
	if err != nil || u.Host == "" {
		return "", false, fmt.Errorf("storage::clickhouse::endpoint %q is not a URL like http://host:8123: %v", e, err)
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host, true, nil
	case "tcp", "clickhouse":
		return u.Host, false, nil
	}
	return "", false, fmt.Errorf("storage::clickhouse::endpoint %q: scheme %q is not http, https or tcp", e, u.Scheme)
}

func (c Config) database() string {
	if c.Database == "" {
		return "default"
	}
	return c.Database
}

func (c Config) createSchema() bool {
	return !c.ReadOnly && (c.CreateSchema == nil || *c.CreateSchema)
}

// password returns the password, read from PasswordFile if set.
func (c Config) password() (string, error) {
	if c.PasswordFile == "" {
		return c.Password, nil
	}
	b, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("read storage::clickhouse::password_file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
