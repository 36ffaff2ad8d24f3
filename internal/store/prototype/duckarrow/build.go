//go:build duckdb_arrow

package duckarrow

import (
	"encoding/hex"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Layout of the Map columns.
type Layout int

const (
	// LayoutMap is today's MAP(VARCHAR, VARCHAR).
	LayoutMap Layout = iota
	// LayoutKV is STRUCT(keys VARCHAR[], "values" VARCHAR[]).
	LayoutKV
)

func (l Layout) String() string { return [...]string{"map", "kv"}[l] }

func (l Layout) arrowType() arrow.DataType {
	if l == LayoutMap {
		return arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String)
	}
	return arrow.StructOf(
		arrow.Field{Name: "keys", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		arrow.Field{Name: "values", Type: arrow.ListOf(arrow.BinaryTypes.String)})
}

func (l Layout) sqlType() string {
	if l == LayoutMap {
		return "MAP(VARCHAR, VARCHAR)"
	}
	return `STRUCT(keys VARCHAR[], "values" VARCHAR[])`
}

type col struct {
	name string
	arr  arrow.DataType
	sql  string
}

// columns of otel_traces in the exporter's order (overlook's extra
// columns included, materialised attribute columns not).
func columns(l Layout) []col {
	s, u32, u64 := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64
	ts, at := arrow.FixedWidthTypes.Timestamp_ns, l.arrowType()
	lst := arrow.ListOf
	return []col{
		{"Timestamp", ts, "TIMESTAMP_NS"},
		{"TraceId", s, "VARCHAR"}, {"SpanId", s, "VARCHAR"}, {"ParentSpanId", s, "VARCHAR"},
		{"TraceState", s, "VARCHAR"}, {"SpanName", s, "VARCHAR"}, {"SpanKind", s, "VARCHAR"},
		{"ServiceName", s, "VARCHAR"}, {"ResourceAttributes", at, l.sqlType()},
		{"ScopeName", s, "VARCHAR"}, {"ScopeVersion", s, "VARCHAR"},
		{"SpanAttributes", at, l.sqlType()}, {"Duration", u64, "UBIGINT"},
		{"StatusCode", s, "VARCHAR"}, {"StatusMessage", s, "VARCHAR"},
		{"Events", arrow.StructOf(
			arrow.Field{Name: "Timestamp", Type: lst(ts)}, arrow.Field{Name: "Name", Type: lst(s)},
			arrow.Field{Name: "Attributes", Type: lst(at)}, arrow.Field{Name: "DroppedAttributesCount", Type: lst(u32)}),
			`STRUCT("Timestamp" TIMESTAMP_NS[], "Name" VARCHAR[], "Attributes" ` + l.sqlType() + `[], "DroppedAttributesCount" UINTEGER[])`},
		{"Links", arrow.StructOf(
			arrow.Field{Name: "TraceId", Type: lst(s)}, arrow.Field{Name: "SpanId", Type: lst(s)},
			arrow.Field{Name: "TraceState", Type: lst(s)}, arrow.Field{Name: "Attributes", Type: lst(at)},
			arrow.Field{Name: "DroppedAttributesCount", Type: lst(u32)}, arrow.Field{Name: "Flags", Type: lst(u32)}),
			`STRUCT("TraceId" VARCHAR[], "SpanId" VARCHAR[], "TraceState" VARCHAR[], "Attributes" ` + l.sqlType() +
				`[], "DroppedAttributesCount" UINTEGER[], "Flags" UINTEGER[])`},
		{"ResourceSchemaUrl", s, "VARCHAR"}, {"ScopeSchemaUrl", s, "VARCHAR"},
		{"ScopeAttributes", at, l.sqlType()}, {"TraceFlags", u32, "UINTEGER"},
		{"DroppedAttributesCount", u32, "UINTEGER"}, {"DroppedEventsCount", u32, "UINTEGER"},
		{"DroppedLinksCount", u32, "UINTEGER"}, {"ScopeDroppedAttrCount", u32, "UINTEGER"},
		{"ResourceDroppedAttrCount", u32, "UINTEGER"},
	}
}

func schemaOf(l Layout) *arrow.Schema {
	cs := columns(l)
	fs := make([]arrow.Field, len(cs))
	for i, c := range cs {
		fs[i] = arrow.Field{Name: c.name, Type: c.arr}
	}
	return arrow.NewSchema(fs, nil)
}

// DDL creates otel_traces in layout l.
func DDL(l Layout) string {
	q := "CREATE TABLE IF NOT EXISTS otel_traces ("
	for i, c := range columns(l) {
		if i > 0 {
			q += ", "
		}
		q += `"` + c.name + `" ` + c.sql
	}
	return q + ")"
}

// attrsFn appends a pcommon.Map to an attribute builder of the layout.
type attrsFn func(b array.Builder, m pcommon.Map)

func attrWriter(l Layout) attrsFn {
	if l == LayoutMap {
		return func(b array.Builder, m pcommon.Map) {
			mb := b.(*array.MapBuilder)
			mb.Append(true)
			kb, vb := mb.KeyBuilder().(*array.StringBuilder), mb.ItemBuilder().(*array.StringBuilder)
			appendKV(m, kb, vb)
		}
	}
	return func(b array.Builder, m pcommon.Map) {
		sb := b.(*array.StructBuilder)
		sb.Append(true)
		kl, vl := sb.FieldBuilder(0).(*array.ListBuilder), sb.FieldBuilder(1).(*array.ListBuilder)
		kl.Append(true)
		vl.Append(true)
		appendKV(m, kl.ValueBuilder().(*array.StringBuilder), vl.ValueBuilder().(*array.StringBuilder))
	}
}

// appendKV appends m's entries; a duplicate key keeps its first value.
func appendKV(m pcommon.Map, kb, vb *array.StringBuilder) {
	var seen [32]string
	n := 0
	for k, v := range m.All() {
		dup := false
		for _, s := range seen[:min(n, len(seen))] {
			if s == k {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		if n < len(seen) {
			seen[n] = k
		}
		n++
		kb.Append(k)
		switch v.Type() {
		case pcommon.ValueTypeStr:
			vb.Append(v.Str())
		case pcommon.ValueTypeInt:
			vb.Append(strconv.FormatInt(v.Int(), 10))
		default:
			vb.Append(v.AsString())
		}
	}
}

func hexID(dst []byte, b []byte) string {
	for _, c := range b {
		if c != 0 {
			return string(hex.AppendEncode(dst[:0], b))
		}
	}
	return ""
}

func nanos(t pcommon.Timestamp) arrow.Timestamp {
	if uint64(t) > 1<<63-3 {
		return 1<<63 - 3
	}
	return arrow.Timestamp(t)
}

// record converts td into one record batch.
func record(mem memory.Allocator, sch *arrow.Schema, l Layout, td ptrace.Traces) arrow.RecordBatch {
	rb := array.NewRecordBuilder(mem, sch)
	defer rb.Release()
	rb.Reserve(td.SpanCount())
	attrs := attrWriter(l)
	f := rb.Fields()
	str := func(i int) *array.StringBuilder { return f[i].(*array.StringBuilder) }
	u32 := func(i int) *array.Uint32Builder { return f[i].(*array.Uint32Builder) }
	var hb [32]byte
	ev, lk := f[15].(*array.StructBuilder), f[16].(*array.StructBuilder)
	lists := func(sb *array.StructBuilder) []*array.ListBuilder {
		out := make([]*array.ListBuilder, sb.NumField())
		for i := range out {
			out[i] = sb.FieldBuilder(i).(*array.ListBuilder)
		}
		return out
	}
	evL, lkL := lists(ev), lists(lk)
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource()
		svc := ""
		if v, ok := res.Attributes().Get("service.name"); ok {
			svc = v.AsString()
		}
		for _, ss := range rs.ScopeSpans().All() {
			sc := ss.Scope()
			for _, sp := range ss.Spans().All() {
				start, end := nanos(sp.StartTimestamp()), nanos(sp.EndTimestamp())
				tid, sid, pid := sp.TraceID(), sp.SpanID(), sp.ParentSpanID()
				f[0].(*array.TimestampBuilder).Append(start)
				str(1).Append(hexID(hb[:], tid[:]))
				str(2).Append(hexID(hb[:], sid[:]))
				str(3).Append(hexID(hb[:], pid[:]))
				str(4).Append(sp.TraceState().AsRaw())
				str(5).Append(sp.Name())
				str(6).Append(sp.Kind().String())
				str(7).Append(svc)
				attrs(f[8], res.Attributes())
				str(9).Append(sc.Name())
				str(10).Append(sc.Version())
				attrs(f[11], sp.Attributes())
				f[12].(*array.Uint64Builder).Append(uint64(max(end-start, 0)))
				str(13).Append(sp.Status().Code().String())
				str(14).Append(sp.Status().Message())
				ev.Append(true)
				for _, x := range evL {
					x.Append(true)
				}
				for _, e := range sp.Events().All() {
					evL[0].ValueBuilder().(*array.TimestampBuilder).Append(nanos(e.Timestamp()))
					evL[1].ValueBuilder().(*array.StringBuilder).Append(e.Name())
					attrs(evL[2].ValueBuilder(), e.Attributes())
					evL[3].ValueBuilder().(*array.Uint32Builder).Append(e.DroppedAttributesCount())
				}
				lk.Append(true)
				for _, x := range lkL {
					x.Append(true)
				}
				for _, ln := range sp.Links().All() {
					ltid, lsid := ln.TraceID(), ln.SpanID()
					lkL[0].ValueBuilder().(*array.StringBuilder).Append(hexID(hb[:], ltid[:]))
					lkL[1].ValueBuilder().(*array.StringBuilder).Append(hexID(hb[:], lsid[:]))
					lkL[2].ValueBuilder().(*array.StringBuilder).Append(ln.TraceState().AsRaw())
					attrs(lkL[3].ValueBuilder(), ln.Attributes())
					lkL[4].ValueBuilder().(*array.Uint32Builder).Append(ln.DroppedAttributesCount())
					lkL[5].ValueBuilder().(*array.Uint32Builder).Append(ln.Flags())
				}
				str(17).Append(rs.SchemaUrl())
				str(18).Append(ss.SchemaUrl())
				attrs(f[19], sc.Attributes())
				u32(20).Append(sp.Flags())
				u32(21).Append(sp.DroppedAttributesCount())
				u32(22).Append(sp.DroppedEventsCount())
				u32(23).Append(sp.DroppedLinksCount())
				u32(24).Append(sc.DroppedAttributesCount())
				u32(25).Append(res.DroppedAttributesCount())
			}
		}
	}
	return rb.NewRecordBatch()
}
