package duckdb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

func TestDDLFromSchema(t *testing.T) {
	got := createTableSQL(&schema.Traces)
	for _, want := range []string{
		`"Timestamp" TIMESTAMP_NS`,
		`"SpanAttributes" MAP(VARCHAR, VARCHAR)`,
		`"Duration" UBIGINT`,
		`"Events" STRUCT("Timestamp" TIMESTAMP_NS[], "Name" VARCHAR[], "Attributes" MAP(VARCHAR, VARCHAR)[], "DroppedAttributesCount" UINTEGER[])`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("DDL lacks %s:\n%s", want, got)
		}
	}
	if got := schema.DuckDBType(schema.Column{Type: schema.Seconds}); got != "TIMESTAMP" {
		t.Errorf("Seconds → %s", got)
	}
}

// TestClickHouseStyleSQL checks that the ClickHouse schema's SQL idioms
// read the same in DuckDB: Nested sub-columns as arrays, map subscripts.
func TestClickHouseStyleSQL(t *testing.T) {
	for _, layout := range []string{LayoutParts, LayoutDuckDB} {
		t.Run(layout, func(t *testing.T) { testClickHouseStyleSQL(t, layout) })
	}
}

func testClickHouseStyleSQL(t *testing.T, layout string) {
	s, err := Open(Config{Dir: t.TempDir(), Layout: layout}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Now().Add(-time.Minute)
	if err := s.InsertTraces(context.Background(), storetest.SampleTracesAt(base, 16)); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		`SELECT count(*) FROM otel_traces WHERE list_contains(Events.Name, 'exception')`:                    "4",
		`SELECT Events.Name[1] FROM otel_traces WHERE len(Events.Name) > 0 LIMIT 1`:                         "exception",
		`SELECT Events.Attributes[1]['exception.type'] FROM otel_traces WHERE len(Events.Name) > 0 LIMIT 1`: "io.EOF",
		`SELECT count(*) FROM otel_traces WHERE SpanAttributes['rpc.system'] = 'grpc'`:                      "16",
		`SELECT count(*) FROM otel_traces WHERE ResourceAttributes['k8s.namespace.name'] = 'otel-demo'`:     "16",
		`SELECT count(*) FROM otel_traces WHERE len(Links.TraceId) = 1`:                                     "1",
		`SELECT count(DISTINCT TraceId) FROM otel_traces`:                                                   "2",
	} {
		var got string
		if err := readRow(t, s, q).Scan(&got); err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if got != want {
			t.Errorf("%s = %s, want %s", q, got, want)
		}
	}
}
