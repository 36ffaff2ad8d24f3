package clickhouse

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/schema"
)

// InsertLogs writes ld's records to otel_logs, mapped as the DuckDB store
// maps them (the exporter's mapping plus the fields it drops; see
// internal/store/duckdb/rows_logs.go). It returns once ClickHouse has
// written them.
func (s *Store) InsertLogs(ctx context.Context, ld plog.Logs) error {
	return s.insertLogsInto(ctx, &schema.Logs, ld)
}

// insertLogsInto writes ld's records to t, a table of the logs columns.
func (s *Store) insertLogsInto(ctx context.Context, t *schema.Table, ld plog.Logs) error {
	r := newTableRows(t)
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource()
		svc, rURL, rAttrs := serviceName(res), str(rl.SchemaUrl()), attrs(res.Attributes())
		for _, sl := range rl.ScopeLogs().All() {
			sc := sl.Scope()
			scAttrs := attrs(sc.Attributes())
			for _, lr := range sl.LogRecords().All() {
				r.begin()
				t := lr.Timestamp()
				if t == 0 {
					t = lr.ObservedTimestamp()
				}
				tm := ts(t)
				tid, sid := lr.TraceID(), lr.SpanID()
				r.set("Timestamp", tm)
				r.set("TimestampTime", tm.Truncate(1e9))
				r.set("TraceId", hexID(tid[:]))
				r.set("SpanId", hexID(sid[:]))
				r.set("TraceFlags", uint8(lr.Flags()))
				r.set("SeverityText", str(lr.SeverityText()))
				r.set("SeverityNumber", uint8(lr.SeverityNumber()))
				r.set("ServiceName", svc)
				r.set("Body", str(lr.Body().AsString()))
				r.set("ResourceSchemaUrl", rURL)
				r.set("ResourceAttributes", rAttrs)
				r.set("ScopeSchemaUrl", str(sl.SchemaUrl()))
				r.set("ScopeName", str(sc.Name()))
				r.set("ScopeVersion", str(sc.Version()))
				r.set("ScopeAttributes", scAttrs)
				r.set("LogAttributes", attrs(lr.Attributes()))
				r.set("EventName", str(lr.EventName()))
				r.set("ObservedTimestamp", ts(lr.ObservedTimestamp()))
				r.set("DroppedAttributesCount", lr.DroppedAttributesCount())
				r.set("ScopeDroppedAttrCount", sc.DroppedAttributesCount())
				r.set("ResourceDroppedAttrCount", res.DroppedAttributesCount())
				r.end()
			}
		}
	}
	return s.insert(ctx, r)
}

// InsertTraces writes td's spans to otel_traces (the lookup table
// otel_traces_trace_id_ts is filled by the database's materialized view).
func (s *Store) InsertTraces(ctx context.Context, td ptrace.Traces) error {
	r := newTableRows(&schema.Traces)
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource()
		svc, rURL, rAttrs := serviceName(res), str(rs.SchemaUrl()), attrs(res.Attributes())
		for _, ss := range rs.ScopeSpans().All() {
			sc := ss.Scope()
			scAttrs := attrs(sc.Attributes())
			for _, sp := range ss.Spans().All() {
				r.begin()
				start, end := ts(sp.StartTimestamp()), ts(sp.EndTimestamp())
				tid, sid, pid := sp.TraceID(), sp.SpanID(), sp.ParentSpanID()
				r.set("Timestamp", start)
				r.set("TraceId", hexID(tid[:]))
				r.set("SpanId", hexID(sid[:]))
				r.set("ParentSpanId", hexID(pid[:]))
				r.set("TraceState", str(sp.TraceState().AsRaw()))
				r.set("SpanName", str(sp.Name()))
				r.set("SpanKind", sp.Kind().String())
				r.set("ServiceName", svc)
				r.set("ResourceAttributes", rAttrs)
				r.set("ScopeName", str(sc.Name()))
				r.set("ScopeVersion", str(sc.Version()))
				r.set("SpanAttributes", attrs(sp.Attributes()))
				r.set("Duration", uint64(max(end.Sub(start), 0)))
				r.set("StatusCode", sp.Status().Code().String())
				r.set("StatusMessage", str(sp.Status().Message()))
				evs := sp.Events()
				evTs, evName, evAttrs, evDrop := make([]time.Time, 0, evs.Len()), make([]string, 0, evs.Len()), make([]*attrMap, 0, evs.Len()), make([]uint32, 0, evs.Len())
				for _, ev := range evs.All() {
					evTs = append(evTs, ts(ev.Timestamp()))
					evName = append(evName, str(ev.Name()))
					evAttrs = append(evAttrs, attrs(ev.Attributes()))
					evDrop = append(evDrop, ev.DroppedAttributesCount())
				}
				r.set("Events.Timestamp", evTs)
				r.set("Events.Name", evName)
				r.set("Events.Attributes", evAttrs)
				r.set("Events.DroppedAttributesCount", evDrop)
				ls := sp.Links()
				lTid, lSid, lState := make([]string, 0, ls.Len()), make([]string, 0, ls.Len()), make([]string, 0, ls.Len())
				lAttrs, lDrop, lFlags := make([]*attrMap, 0, ls.Len()), make([]uint32, 0, ls.Len()), make([]uint32, 0, ls.Len())
				for _, l := range ls.All() {
					t, s := l.TraceID(), l.SpanID()
					lTid = append(lTid, hexID(t[:]))
					lSid = append(lSid, hexID(s[:]))
					lState = append(lState, str(l.TraceState().AsRaw()))
					lAttrs = append(lAttrs, attrs(l.Attributes()))
					lDrop = append(lDrop, l.DroppedAttributesCount())
					lFlags = append(lFlags, l.Flags())
				}
				r.set("Links.TraceId", lTid)
				r.set("Links.SpanId", lSid)
				r.set("Links.TraceState", lState)
				r.set("Links.Attributes", lAttrs)
				r.set("Links.DroppedAttributesCount", lDrop)
				r.set("Links.Flags", lFlags)
				r.set("ResourceSchemaUrl", rURL)
				r.set("ScopeSchemaUrl", str(ss.SchemaUrl()))
				r.set("ScopeAttributes", scAttrs)
				r.set("TraceFlags", sp.Flags())
				r.set("DroppedAttributesCount", sp.DroppedAttributesCount())
				r.set("DroppedEventsCount", sp.DroppedEventsCount())
				r.set("DroppedLinksCount", sp.DroppedLinksCount())
				r.set("ScopeDroppedAttrCount", sc.DroppedAttributesCount())
				r.set("ResourceDroppedAttrCount", res.DroppedAttributesCount())
				r.end()
			}
		}
	}
	return s.insert(ctx, r)
}
