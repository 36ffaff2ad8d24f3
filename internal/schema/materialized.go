package schema

import (
	"fmt"
	"slices"
	"strings"
)

// Materialized columns: a real column holding one attribute of a map
// column, filled when a row is inserted, so that reading, filtering or
// grouping by that attribute reads one compact column instead of every key
// and value of every map (measured at 10M spans: 8× less CPU, see
// docs/benchmarks.md). The map keeps every attribute: a materialised column
// is only a faster copy of m['key'].
//
// Naming follows ClickStack, whose tables carry columns such as
//
//	`__hdx_materialized_k8s.pod.name` LowCardinality(String)
//	    MATERIALIZED ResourceAttributes['k8s.pod.name']
//
// so a ResourceAttributes key k is the column "__hdx_materialized_" + k,
// the very name ClickStack uses. For the other maps the map name is part
// of the name: SpanAttributes['http.route'] is
// "__hdx_materialized_SpanAttributes.http.route". The name alone thus says
// which (map, key) a column holds (ParseMaterialized).
//
// Values: in DuckDB the column is NULL when the map lacks the key (so that
// coalesce(col, '') is exactly m['key'] with ClickHouse semantics, and
// "col IS NOT NULL" exactly mapContains); in ClickHouse it is the
// MATERIALIZED expression m['key'] ('' when absent), as in ClickStack.

// MaterializedPrefix starts the name of every materialised column.
const MaterializedPrefix = "__hdx_materialized_"

// resourceMap is the map whose columns are named by the key alone.
const resourceMap = "ResourceAttributes"

// Materialized is one materialised attribute: Map['Key'] of a table.
type Materialized struct {
	Map string // a Map column of the table
	Key string // the attribute key
}

// Column returns the name of the materialised column.
func (m Materialized) Column() string {
	if m.Map == resourceMap {
		return MaterializedPrefix + m.Key
	}
	return MaterializedPrefix + m.Map + "." + m.Key
}

// String is the dotted path the query language uses: "Map.key".
func (m Materialized) String() string { return m.Map + "." + m.Key }

// ParseMaterialized returns the attribute a materialised column of t
// holds, and whether name is such a column.
func ParseMaterialized(t *Table, name string) (Materialized, bool) {
	rest, ok := strings.CutPrefix(name, MaterializedPrefix)
	if !ok || rest == "" {
		return Materialized{}, false
	}
	for _, c := range t.Columns {
		if c.Type != Map || c.Name == resourceMap {
			continue
		}
		if key, ok := strings.CutPrefix(rest, c.Name+"."); ok && key != "" {
			return Materialized{Map: c.Name, Key: key}, true
		}
	}
	if c, ok := t.Column(resourceMap); !ok || c.Type != Map {
		return Materialized{}, false
	}
	return Materialized{Map: resourceMap, Key: rest}, true
}

// ParseMaterializedPath parses "Map.key" (the query language's dotted
// path) for table t: Map must be a top-level map column of t.
func ParseMaterializedPath(t *Table, path string) (Materialized, error) {
	head, key, ok := strings.Cut(path, ".")
	if !ok || key == "" {
		return Materialized{}, fmt.Errorf("%q: want MapColumn.key, e.g. SpanAttributes.http.route", path)
	}
	for _, c := range t.Columns {
		if c.Name == head && c.Type == Map {
			m := Materialized{Map: head, Key: key}
			if back, ok := ParseMaterialized(t, m.Column()); !ok || back != m {
				return Materialized{}, fmt.Errorf("%q: its column %s would read as %s", path, m.Column(), back)
			}
			return m, nil
		}
	}
	var maps []string
	for _, c := range t.Columns {
		if c.Type == Map {
			maps = append(maps, c.Name)
		}
	}
	return Materialized{}, fmt.Errorf("%q: %s is not a map column of %s (map columns: %s)",
		path, head, t.Name, strings.Join(maps, ", "))
}

// hotResource are resource keys worth a column in every signal: the k8s
// workload and host the UI filters and groups by, and the service version.
// ClickStack materialises the k8s ones on otel_logs too.
var hotResource = []string{
	"k8s.namespace.name", "k8s.deployment.name", "k8s.pod.name", "host.name", "service.version",
}

func resource(keys []string) []Materialized {
	out := make([]Materialized, len(keys))
	for i, k := range keys {
		out[i] = Materialized{Map: resourceMap, Key: k}
	}
	return out
}

func attrs(m string, keys ...string) []Materialized {
	out := make([]Materialized, len(keys))
	for i, k := range keys {
		out[i] = Materialized{Map: m, Key: k}
	}
	return out
}

// DefaultMaterialized is the materialised attributes every database has,
// per table name. Span keys are the HTTP, RPC and database semantic
// conventions people chart by (HTTP under its current and pre-1.21 names),
// plus app.payment.card_type, the OpenTelemetry demo's attribute that seed
// 001 and the mission's Chart Explorer example group by.
//
// The set is kept small on purpose: each column costs ingest CPU whether
// or not rows carry the key (measured per span: ≈ 0.3 µs for an absent
// key, ≈ 0.5 µs for a present one, against ≈ 27 µs for the whole insert;
// BenchmarkMaterializedCost). More keys (k8s.cluster.name, k8s.node.name,
// deployment.environment.name, rpc.system, db.system.name, ...) are one
// line of configuration away (duckdb.Config.MaterializedAttributes).
var DefaultMaterialized = map[string][]Materialized{
	TracesTable: slices.Concat(
		resource(hotResource),
		attrs("SpanAttributes",
			"http.request.method", "http.method", "http.response.status_code", "http.status_code", "http.route",
			"rpc.method", "db.system", "app.payment.card_type"),
	),
	LogsTable: resource(hotResource),
}

// MaterializedSet is the materialised attributes of a database, per table
// name, in column order. The zero value has none.
type MaterializedSet map[string][]Materialized

// Lookup returns the column holding m['key'] of table, if any.
func (s MaterializedSet) Lookup(table, m, key string) (string, bool) {
	for _, x := range s[table] {
		if x.Map == m && x.Key == key {
			return x.Column(), true
		}
	}
	return "", false
}

// Default returns a copy of DefaultMaterialized.
func Default() MaterializedSet {
	out := MaterializedSet{}
	for t, ms := range DefaultMaterialized {
		out[t] = slices.Clone(ms)
	}
	return out
}

// With returns s plus the given attributes of table that it lacks.
func (s MaterializedSet) With(table string, ms ...Materialized) MaterializedSet {
	out := MaterializedSet{}
	for t, xs := range s {
		out[t] = slices.Clone(xs)
	}
	for _, m := range ms {
		if !slices.Contains(out[table], m) {
			out[table] = append(out[table], m)
		}
	}
	return out
}
