package clickhouse

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

// The DDL is the OpenTelemetry ClickHouse exporter's (as ClickStack
// deploys it): its columns, codecs, LowCardinality choices, skip indexes,
// daily partitions, ORDER BY and TTL, the otel_traces_trace_id_ts lookup
// table filled by a materialized view, and ClickStack's
// __hdx_materialized_* columns; overlook's extra columns (schema package:
// "added by overlook") follow the exporter's. Golden files in
// testdata/ddl_*.sql show every statement.

// lowCardinality lists the String columns the exporter stores as
// LowCardinality(String), per table ("*": every table).
var lowCardinality = map[string]map[string]bool{
	schema.LogsTable:     {"SeverityText": true, "ServiceName": true, "ResourceSchemaUrl": true, "ScopeSchemaUrl": true, "ScopeVersion": true},
	schema.SessionsTable: {"SeverityText": true, "ServiceName": true, "ResourceSchemaUrl": true, "ScopeSchemaUrl": true, "ScopeVersion": true},
	schema.TracesTable:   {"SpanName": true, "SpanKind": true, "ServiceName": true, "StatusCode": true, "Events.Name": true},
	"*":                  {"ServiceName": true},
}

// hdxMaterialized are ClickStack's materialized resource attributes of the
// logs and traces tables.
var hdxMaterialized = []string{
	"deployment.environment.name", "k8s.cluster.name", "k8s.container.name", "k8s.deployment.name",
	"k8s.namespace.name", "k8s.node.name", "k8s.pod.name", "k8s.pod.uid",
}

// chType is the ClickHouse type of a logical column type.
func chType(t schema.Type) string {
	switch t {
	case schema.String:
		return "String"
	case schema.Int32:
		return "Int32"
	case schema.UInt8:
		return "UInt8"
	case schema.UInt32:
		return "UInt32"
	case schema.UInt64:
		return "UInt64"
	case schema.Float64:
		return "Float64"
	case schema.Bool:
		return "Bool"
	case schema.Timestamp:
		return "DateTime64(9)"
	case schema.Seconds:
		return "DateTime"
	case schema.Map:
		return "Map(LowCardinality(String), String)"
	case schema.ArrayUInt64:
		return "Array(UInt64)"
	case schema.ArrayFloat64:
		return "Array(Float64)"
	}
	panic(fmt.Sprintf("BUG: no ClickHouse type for %d", t))
}

func colType(table string, c schema.Column, name string) string {
	t := chType(c.Type)
	if c.Type == schema.String && (lowCardinality[table][name] || lowCardinality["*"][name]) {
		t = "LowCardinality(String)"
	}
	return t
}

// codec is the exporter's codec of a column.
func codec(table string, c schema.Column) string {
	switch {
	case c.Type == schema.Timestamp && (c.Name == "Timestamp" || c.Name == "TimeUnix" || c.Name == "StartTimeUnix"):
		return " CODEC(Delta(8), ZSTD(1))"
	case c.Name == "Duration":
		return " CODEC(T64, ZSTD(1))"
	case c.Type == schema.UInt8 || c.Type == schema.Seconds || c.Type == schema.Bool:
		return ""
	}
	return " CODEC(ZSTD(1))"
}

// columnDefs writes the column list of t.
func columnDefs(t *schema.Table) []string {
	var out []string
	for _, c := range t.Columns {
		switch {
		case c.Type == schema.Nested:
			fs := make([]string, len(c.Fields))
			for i, f := range c.Fields {
				fs[i] = fmt.Sprintf("%s %s", ident(f.Name), colType(t.Name, f, c.Name+"."+f.Name))
			}
			out = append(out, fmt.Sprintf("%s Nested(%s) CODEC(ZSTD(1))", ident(c.Name), strings.Join(fs, ", ")))
		case (t.Name == schema.LogsTable || t.Name == schema.SessionsTable) && c.Name == "TimestampTime":
			out = append(out, "`TimestampTime` DateTime DEFAULT toDateTime(Timestamp)")
		default:
			out = append(out, fmt.Sprintf("%s %s%s", ident(c.Name), colType(t.Name, c, c.Name), codec(t.Name, c)))
		}
	}
	if t.Name == schema.LogsTable || t.Name == schema.TracesTable {
		for _, k := range hdxMaterialized {
			out = append(out, fmt.Sprintf("%s LowCardinality(String) MATERIALIZED ResourceAttributes['%s']", ident("__hdx_materialized_"+k), k))
		}
	}
	return out
}

// indexes are the exporter's skip indexes per table.
func indexes(table string) []string {
	attrIdx := func(name, col string) []string {
		return []string{
			fmt.Sprintf("INDEX idx_%s_key mapKeys(%s) TYPE bloom_filter(0.01) GRANULARITY 1", name, col),
			fmt.Sprintf("INDEX idx_%s_value mapValues(%s) TYPE bloom_filter(0.01) GRANULARITY 1", name, col),
		}
	}
	var out []string
	switch table {
	case schema.LogsTable:
		out = append(out, "INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1")
		out = append(out, attrIdx("res_attr", "ResourceAttributes")...)
		out = append(out, attrIdx("scope_attr", "ScopeAttributes")...)
		out = append(out, attrIdx("log_attr", "LogAttributes")...)
		out = append(out, "INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8")
	case schema.TracesTable:
		out = append(out, "INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1")
		out = append(out, attrIdx("res_attr", "ResourceAttributes")...)
		out = append(out, attrIdx("span_attr", "SpanAttributes")...)
		out = append(out, "INDEX idx_duration Duration TYPE minmax GRANULARITY 1",
			"INDEX idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8")
	case schema.SessionsTable:
		// ClickStack's hyperdx_sessions: the logs table's columns, these
		// two indexes.
		out = append(out, "INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1",
			"INDEX idx_lower_body lower(Body) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8")
	case schema.TraceIDTsTable:
	default:
		out = append(out, attrIdx("res_attr", "ResourceAttributes")...)
		out = append(out, attrIdx("scope_attr", "ScopeAttributes")...)
		out = append(out, attrIdx("attr", "Attributes")...)
	}
	return out
}

// tableSpec is what follows ENGINE: partitioning, keys, TTL, settings.
func tableSpec(table string, ttl time.Duration) string {
	ttlClause := func(col string) string {
		if ttl <= 0 {
			return ""
		}
		return fmt.Sprintf("\nTTL %s + toIntervalSecond(%d)", col, int64(ttl/time.Second))
	}
	settings := "\nSETTINGS index_granularity = 8192, ttl_only_drop_parts = 1"
	switch table {
	case schema.LogsTable, schema.SessionsTable:
		return "\nPARTITION BY toDate(TimestampTime)\nPRIMARY KEY (ServiceName, TimestampTime)\nORDER BY (ServiceName, TimestampTime, Timestamp)" +
			ttlClause("TimestampTime") + settings
	case schema.TracesTable:
		return "\nPARTITION BY toDate(Timestamp)\nPRIMARY KEY (ServiceName, SpanName, toDateTime(Timestamp))\nORDER BY (ServiceName, SpanName, toDateTime(Timestamp), Timestamp)" +
			ttlClause("toDateTime(Timestamp)") + settings
	case schema.TraceIDTsTable:
		return "\nPARTITION BY toStartOfWeek(Start)\nORDER BY (TraceId)" + ttlClause("Start") + settings
	}
	return "\nPARTITION BY toDate(TimeUnix)\nORDER BY (ServiceName, MetricName, Attributes, toUnixTimestamp64Nano(TimeUnix))" +
		ttlClause("toDateTime(TimeUnix)") + settings
}

func ttlOf(table string, c Config) time.Duration {
	switch table {
	case schema.SessionsTable:
		if c.TTL.Sessions > 0 {
			return c.TTL.Sessions
		}
		return c.TTL.Logs
	case schema.LogsTable:
		return c.TTL.Logs
	case schema.TracesTable, schema.TraceIDTsTable:
		return c.TTL.Traces
	}
	return c.TTL.Metrics
}

// ddlTables are the tables DDL creates: the schema's, then ClickStack's
// hyperdx_sessions (browser session recordings, the logs columns).
func ddlTables() []*schema.Table {
	return append(slices.Clip(schema.Tables), &schema.Sessions)
}

func ident(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// DDL returns the statements that create c's tables (IF NOT EXISTS), in
// order. With c.Cluster: every table as <name>_local (Replicated engines,
// ON CLUSTER) plus a Distributed table under <name> (sharded by TraceId
// for traces so that a trace stays on one shard, at random otherwise),
// and the materialized view reading the local spans.
func DDL(c Config) []string {
	db := ident(c.database())
	names := c.Tables.names()
	on := ""
	if c.Cluster != "" {
		on = " ON CLUSTER " + ident(c.Cluster)
	}
	var out []string
	for _, t := range ddlTables() {
		name := names[t.Name]
		local := name
		if c.Cluster != "" {
			local = name + "_local"
		}
		engine := "MergeTree"
		var cols []string
		if t.Name == schema.TraceIDTsTable {
			engine = "AggregatingMergeTree"
			cols = []string{"`TraceId` String CODEC(ZSTD(1))",
				"`Start` SimpleAggregateFunction(min, DateTime) CODEC(ZSTD(1))",
				"`End` SimpleAggregateFunction(max, DateTime) CODEC(ZSTD(1))"}
		} else {
			cols = columnDefs(t)
		}
		cols = append(cols, indexes(t.Name)...)
		if c.Cluster != "" {
			engine = fmt.Sprintf("Replicated%s('/clickhouse/tables/{shard}/{database}/%s', '{replica}')", engine, local)
		} else {
			engine += "()"
		}
		out = append(out, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s (\n    %s\n) ENGINE = %s%s",
			db, ident(local), on, strings.Join(cols, ",\n    "), engine, tableSpec(t.Name, ttlOf(t.Name, c))))
		if c.Cluster != "" {
			key := "rand()"
			if t.Name == schema.TracesTable || t.Name == schema.TraceIDTsTable {
				key = "cityHash64(TraceId)"
			}
			out = append(out, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s AS %s.%s\nENGINE = Distributed(%s, %s, %s, %s)",
				db, ident(name), on, db, ident(local), ident(c.Cluster), db, ident(local), key))
		}
		if t.Name == schema.TraceIDTsTable {
			spans := names[schema.TracesTable]
			if c.Cluster != "" {
				spans += "_local"
			}
			out = append(out, fmt.Sprintf("CREATE MATERIALIZED VIEW IF NOT EXISTS %s.%s%s\nTO %s.%s\nAS SELECT\n    TraceId,\n    min(Timestamp) AS Start,\n    max(Timestamp) AS End\nFROM %s.%s\nWHERE TraceId != ''\nGROUP BY TraceId",
				db, ident(local+"_mv"), on, db, ident(local), db, ident(spans)))
		}
	}
	return out
}
