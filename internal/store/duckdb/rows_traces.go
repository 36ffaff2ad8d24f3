package duckdb

import (
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/schema"
)

// traceChunks converts every span of td to otel_traces rows (shaped by
// ls, see materializedLayouts), and returns
// the otel_traces_trace_id_ts rows of the batch: one per TraceId with the
// earliest span start and the latest span end seen in td.
//
// Unlike the ClickHouse exporter's materialized view, which derives End
// from span start times, End here is the real latest span end time, so a
// lookup window [Start, End] always covers every span start of the trace.
//
// Mapping: Timestamp is the span start; Duration = end - start in ns (0 if
// end precedes start); SpanKind and StatusCode are pdata's String()
// ("Server", "Error", "Unset"); ids lowercase hex, "" when empty; Events
// and Links are STRUCTs of parallel LISTs (see ddl.go).
func traceChunks(ls *[numTables]*chunkLayout, td ptrace.Traces) (spans, ids tableChunks) {
	l := ls[tblTraces]
	var (
		cTs, cTraceID, cSpanID, cParent = l.col("Timestamp"), l.col("TraceId"), l.col("SpanId"), l.col("ParentSpanId")
		cState, cName, cKind, cSvc      = l.col("TraceState"), l.col("SpanName"), l.col("SpanKind"), l.col("ServiceName")
		cResAttrs, cScName, cScVer      = l.col("ResourceAttributes"), l.col("ScopeName"), l.col("ScopeVersion")
		cAttrs, cDur, cCode, cMsg       = l.col("SpanAttributes"), l.col("Duration"), l.col("StatusCode"), l.col("StatusMessage")
		cEvents, cLinks                 = l.col("Events"), l.col("Links")
		cResURL, cScURL, cScAttrs       = l.col("ResourceSchemaUrl"), l.col("ScopeSchemaUrl"), l.col("ScopeAttributes")
		cFlags, cDropped                = l.col("TraceFlags"), l.col("DroppedAttributesCount")
		cDropEv, cDropLinks             = l.col("DroppedEventsCount"), l.col("DroppedLinksCount")
		cScDropped, cResDropped         = l.col("ScopeDroppedAttrCount"), l.col("ResourceDroppedAttrCount")
	)
	evIdx := l.fields(cEvents, "Timestamp", "Name", "Attributes", "DroppedAttributesCount")
	linkIdx := l.fields(cLinks, "TraceId", "SpanId", "TraceState", "Attributes", "DroppedAttributesCount", "Flags")
	type window struct{ start, end int64 }
	windows := map[pcommon.TraceID]*window{}
	var order []pcommon.TraceID
	b := newChunkBuilder(l)
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource()
		svc, rURL, rDropped := serviceName(res), str(rs.SchemaUrl()), res.DroppedAttributesCount()
		for _, ss := range rs.ScopeSpans().All() {
			sc := ss.Scope()
			sURL, sName, sVer := str(ss.SchemaUrl()), str(sc.Name()), str(sc.Version())
			sDropped := sc.DroppedAttributesCount()
			for _, sp := range ss.Spans().All() {
				b.begin()
				start, end := nanos(sp.StartTimestamp()), nanos(sp.EndTimestamp())
				if id := sp.TraceID(); !id.IsEmpty() {
					if w := windows[id]; w == nil {
						windows[id] = &window{start, end}
						order = append(order, id)
					} else {
						w.start, w.end = min(w.start, start), max(w.end, end)
					}
				}
				b.tsNanos(cTs, start)
				tid, sid, pid := sp.TraceID(), sp.SpanID(), sp.ParentSpanID()
				b.hex(cTraceID, tid[:])
				b.hex(cSpanID, sid[:])
				b.hex(cParent, pid[:])
				b.str(cState, str(sp.TraceState().AsRaw()))
				b.str(cName, str(sp.Name()))
				b.str(cKind, sp.Kind().String())
				b.str(cSvc, svc)
				b.attrs(cResAttrs, res.Attributes())
				b.str(cScName, sName)
				b.str(cScVer, sVer)
				b.attrs(cAttrs, sp.Attributes())
				b.u64(cDur, uint64(max(end-start, 0)))
				b.str(cCode, sp.Status().Code().String())
				b.str(cMsg, str(sp.Status().Message()))
				b.events(cEvents, evIdx, sp.Events())
				b.links(cLinks, linkIdx, sp.Links())
				b.str(cResURL, rURL)
				b.str(cScURL, sURL)
				b.attrs(cScAttrs, sc.Attributes())
				b.u32(cFlags, sp.Flags())
				b.u32(cDropped, sp.DroppedAttributesCount())
				b.u32(cDropEv, sp.DroppedEventsCount())
				b.u32(cDropLinks, sp.DroppedLinksCount())
				b.u32(cScDropped, sDropped)
				b.u32(cResDropped, rDropped)
				b.next()
			}
		}
	}
	il := ls[tblTraceIDTs]
	cID, cStart, cEnd := il.col("TraceId"), il.col("Start"), il.col("End")
	ib := newChunkBuilder(il)
	for _, id := range order {
		w := windows[id]
		ib.begin()
		ib.hex(cID, id[:])
		ib.tsNanos(cStart, w.start)
		ib.tsNanos(cEnd, w.end)
		ib.next()
	}
	return b.result(tblTraces), ib.result(tblTraceIDTs)
}

// fields resolves the named fields of Nested column c to their positions;
// every field must be named.
func (l *chunkLayout) fields(c int, names ...string) []int {
	col := l.table.Columns[c]
	if len(names) != len(col.Fields) {
		panic("BUG: not every field of " + col.Name + " is written")
	}
	out := make([]int, len(names))
	for i, name := range names {
		out[i] = slices.IndexFunc(col.Fields, func(f schema.Column) bool { return f.Name == name })
		if out[i] < 0 {
			panic("BUG: " + col.Name + " has no field " + name)
		}
	}
	return out
}

// nested makes the current row of Nested column c hold n entries: it
// returns the child vectors of the fields at positions idx and each one's
// first entry.
func (b *chunkBuilder) nested(c int, n uint64, idx []int, vs []*vec, offs []uint64) {
	for i, j := range idx {
		f := b.cols[c].fields[j]
		offs[i] = f.list(b.row, n)
		vs[i] = f.child
	}
}

// events writes a span's events into the Events STRUCT of LISTs; idx are
// the positions of Timestamp, Name, Attributes, DroppedAttributesCount.
func (b *chunkBuilder) events(c int, idx []int, evs ptrace.SpanEventSlice) {
	var f [4]*vec
	var offs [4]uint64
	b.nested(c, uint64(evs.Len()), idx, f[:], offs[:])
	for i, ev := range evs.All() {
		k := uint64(i)
		f[0].setI64(offs[0]+k, nanos(ev.Timestamp()))
		f[1].setStr(offs[1]+k, str(ev.Name()))
		b.setMap(f[2], offs[2]+k, ev.Attributes())
		f[3].setU32(offs[3]+k, ev.DroppedAttributesCount())
	}
}

// links writes a span's links into the Links STRUCT of LISTs; idx are the
// positions of TraceId, SpanId, TraceState, Attributes,
// DroppedAttributesCount, Flags.
func (b *chunkBuilder) links(c int, idx []int, links ptrace.SpanLinkSlice) {
	var f [6]*vec
	var offs [6]uint64
	b.nested(c, uint64(links.Len()), idx, f[:], offs[:])
	for i, l := range links.All() {
		k := uint64(i)
		tid, sid := l.TraceID(), l.SpanID()
		f[0].setHex(offs[0]+k, tid[:])
		f[1].setHex(offs[1]+k, sid[:])
		f[2].setStr(offs[2]+k, str(l.TraceState().AsRaw()))
		b.setMap(f[3], offs[3]+k, l.Attributes())
		f[4].setU32(offs[4]+k, l.DroppedAttributesCount())
		f[5].setU32(offs[5]+k, l.Flags())
	}
}
