package duckdb

import (
	"go.opentelemetry.io/collector/pdata/plog"
)

// logChunks converts every log record of ld to otel_logs rows, shaped by
// ls (see materializedLayouts).
//
// Mapping (as the ClickHouse exporter, plus the fields it drops):
//   - Timestamp is the record's time, or its ObservedTimestamp when the
//     record has none (exporter behaviour); ObservedTimestamp is kept too.
//   - TimestampTime is Timestamp truncated to the second.
//   - TraceId/SpanId are lowercase hex, "" when empty; TraceFlags is the
//     low byte of the record's flags.
//   - Body is Body().AsString(): text as is, maps and slices as JSON,
//     bytes as base64.
//   - attribute values are AsString(); ServiceName is the resource's
//     service.name.
func logChunks(ls *[numTables]*chunkLayout, ld plog.Logs) tableChunks {
	l := ls[tblLogs]
	var (
		cTs, cTsTime, cTraceID, cSpanID = l.col("Timestamp"), l.col("TimestampTime"), l.col("TraceId"), l.col("SpanId")
		cFlags, cSevText, cSevNum       = l.col("TraceFlags"), l.col("SeverityText"), l.col("SeverityNumber")
		cSvc, cBody, cResURL, cResAttrs = l.col("ServiceName"), l.col("Body"), l.col("ResourceSchemaUrl"), l.col("ResourceAttributes")
		cScURL, cScName, cScVer         = l.col("ScopeSchemaUrl"), l.col("ScopeName"), l.col("ScopeVersion")
		cScAttrs, cAttrs, cEvent        = l.col("ScopeAttributes"), l.col("LogAttributes"), l.col("EventName")
		cObserved, cDropped             = l.col("ObservedTimestamp"), l.col("DroppedAttributesCount")
		cScDropped, cResDropped         = l.col("ScopeDroppedAttrCount"), l.col("ResourceDroppedAttrCount")
	)
	b := newChunkBuilder(l)
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource()
		svc, rURL, rDropped := serviceName(res), str(rl.SchemaUrl()), res.DroppedAttributesCount()
		for _, sl := range rl.ScopeLogs().All() {
			sc := sl.Scope()
			sURL, sName, sVer := str(sl.SchemaUrl()), str(sc.Name()), str(sc.Version())
			sDropped := sc.DroppedAttributesCount()
			for _, lr := range sl.LogRecords().All() {
				b.begin()
				t := lr.Timestamp()
				if t == 0 {
					t = lr.ObservedTimestamp()
				}
				ns := nanos(t)
				b.tsNanos(cTs, ns)
				b.tsSeconds(cTsTime, ns)
				tid, sid := lr.TraceID(), lr.SpanID()
				b.hex(cTraceID, tid[:])
				b.hex(cSpanID, sid[:])
				b.u8(cFlags, uint8(lr.Flags()))
				b.str(cSevText, str(lr.SeverityText()))
				b.u8(cSevNum, uint8(lr.SeverityNumber()))
				b.str(cSvc, svc)
				b.str(cBody, str(lr.Body().AsString()))
				b.str(cResURL, rURL)
				b.attrs(cResAttrs, res.Attributes())
				b.str(cScURL, sURL)
				b.str(cScName, sName)
				b.str(cScVer, sVer)
				b.attrs(cScAttrs, sc.Attributes())
				b.attrs(cAttrs, lr.Attributes())
				b.str(cEvent, str(lr.EventName()))
				b.ts(cObserved, lr.ObservedTimestamp())
				b.u32(cDropped, lr.DroppedAttributesCount())
				b.u32(cScDropped, sDropped)
				b.u32(cResDropped, rDropped)
				b.next()
			}
		}
	}
	return b.result(tblLogs)
}
