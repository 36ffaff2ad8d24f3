package duckdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// TestChunkSlotReuse checks the rows whose strings share string_t slots
// (repeated maps, long keys, repeated values) across several chunks: every
// row reads back with its own values.
func TestChunkSlotReuse(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir(), Layout: LayoutDuckDB}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 5000 // more than two chunks
	ld := plog.NewLogs()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for r := range 2 {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", fmt.Sprintf("service-with-a-long-name-%d", r))
		rl.Resource().Attributes().PutStr("k8s.deployment.name", "a-deployment-name-longer-than-twelve")
		rl.Resource().Attributes().PutInt("resource.port.number", 8080)
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("io.opentelemetry.scope.with.long.name")
		for i := range n {
			lr := sl.LogRecords().AppendEmpty()
			lr.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Duration(i) * time.Millisecond)))
			lr.Body().SetStr(fmt.Sprintf("body number %d of resource %d", i, r))
			a := lr.Attributes()
			a.PutStr("http.response.header.long.key", fmt.Sprintf("value-%d-of-resource-%d", i, r))
			a.PutStr("constant.long.attribute.key", "the same long value on every row")
			a.PutInt("http.response.status_code", int64(200+i%300))
			lr.SetTraceID([16]byte{byte(r), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, byte(i >> 8), byte(i)})
		}
	}
	if err := s.InsertLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	var bad, total int
	err = s.db.QueryRow(`
		SELECT count(*) FILTER (WHERE
			ResourceAttributes['service.name'] <> 'service-with-a-long-name-' || r
			OR ResourceAttributes['k8s.deployment.name'] <> 'a-deployment-name-longer-than-twelve'
			OR ResourceAttributes['resource.port.number'] <> '8080'
			OR ScopeName <> 'io.opentelemetry.scope.with.long.name'
			OR LogAttributes['http.response.header.long.key'] <> 'value-' || i || '-of-resource-' || r
			OR LogAttributes['constant.long.attribute.key'] <> 'the same long value on every row'
			OR LogAttributes['http.response.status_code'] <> (200 + i % 300)::VARCHAR
			OR TraceId <> printf('%02x0102030405060708090a0b0c0d%04x', r, i)
			OR cardinality(ResourceAttributes) <> 3 OR cardinality(LogAttributes) <> 3),
			count(*)
		FROM (SELECT *, split_part(Body, ' ', 3)::INT AS i, split_part(Body, ' ', 6)::INT AS r FROM otel_logs)`).Scan(&bad, &total)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2*n || bad != 0 {
		t.Fatalf("%d rows, %d of them wrong; want %d rows, none wrong", total, bad, 2*n)
	}
}
