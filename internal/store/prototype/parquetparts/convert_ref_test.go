package parquetparts

// The reference conversion of pdata to SpanRows (the first prototype's
// write path, which buffered these structs): the tests check that the
// encoded part buffer (partbuf.go, partdec.go) writes exactly these rows.

import (
	"strconv"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// interner shares the strings that repeat (attribute keys, and values up
// to internMax bytes) so that rows held until their part is written do
// not keep one allocation per attribute. Bounded: when full it stops
// adding and returns copies.
type interner struct {
	mu sync.RWMutex
	m  map[string]string
}

const (
	internMax     = 64
	internEntries = 1 << 16
)

func (in *interner) get(s string) string {
	if len(s) > internMax {
		return s
	}
	in.mu.RLock()
	v, ok := in.m[s]
	in.mu.RUnlock()
	if ok {
		return v
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.m[s]; ok {
		return v
	}
	if len(in.m) < internEntries {
		in.m[s] = s
	}
	return s
}

// kv flattens m; values are AsString() as in the DuckDB store, keys
// interned. Duplicate keys keep their first value.
func (in *interner) kv(m pcommon.Map) KV {
	n := m.Len()
	if n == 0 {
		return KV{}
	}
	out := KV{Keys: make([]string, 0, n), Values: make([]string, 0, n)}
	for k, v := range m.All() {
		dup := false
		for _, seen := range out.Keys {
			if seen == k {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		out.Keys = append(out.Keys, in.get(k))
		var s string
		switch v.Type() {
		case pcommon.ValueTypeStr:
			s = in.get(v.Str())
		case pcommon.ValueTypeInt:
			s = in.get(strconv.FormatInt(v.Int(), 10))
		default:
			s = in.get(v.AsString())
		}
		out.Values = append(out.Values, s)
	}
	return out
}

// ids hands out ID copies from one allocation per batch.
type ids struct{ buf []byte }

func (a *ids) id(b []byte) []byte {
	zero := true
	for _, c := range b {
		if c != 0 {
			zero = false
			break
		}
	}
	if zero {
		return nil
	}
	if len(a.buf) < len(b) {
		a.buf = make([]byte, 32<<10)
	}
	out := a.buf[:len(b):len(b)]
	copy(out, b)
	a.buf = a.buf[len(b):]
	return out
}

// Convert appends the rows of td to dst, in td's order.
func (in *interner) Convert(dst []SpanRow, td ptrace.Traces) []SpanRow {
	var a ids
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource()
		resKV := in.kv(res.Attributes()) // shared by the resource's spans
		svc := ""
		if v, ok := res.Attributes().Get("service.name"); ok {
			svc = in.get(v.AsString())
		}
		rURL := in.get(rs.SchemaUrl())
		for _, ss := range rs.ScopeSpans().All() {
			sc := ss.Scope()
			scKV := in.kv(sc.Attributes())
			sName, sVer, sURL := in.get(sc.Name()), in.get(sc.Version()), in.get(ss.SchemaUrl())
			for _, sp := range ss.Spans().All() {
				start, end := nanos(sp.StartTimestamp()), nanos(sp.EndTimestamp())
				tid, sid, pid := sp.TraceID(), sp.SpanID(), sp.ParentSpanID()
				r := SpanRow{
					Timestamp:                start,
					TraceId:                  a.id(tid[:]),
					SpanId:                   a.id(sid[:]),
					ParentSpanId:             a.id(pid[:]),
					TraceState:               in.get(sp.TraceState().AsRaw()),
					SpanName:                 in.get(sp.Name()),
					SpanKind:                 sp.Kind().String(),
					ServiceName:              svc,
					ResourceAttributes:       resKV,
					ScopeName:                sName,
					ScopeVersion:             sVer,
					SpanAttributes:           in.kv(sp.Attributes()),
					Duration:                 uint64(max(end-start, 0)),
					StatusCode:               sp.Status().Code().String(),
					StatusMessage:            in.get(sp.Status().Message()),
					ResourceSchemaUrl:        rURL,
					ScopeSchemaUrl:           sURL,
					ScopeAttributes:          scKV,
					TraceFlags:               sp.Flags(),
					DroppedAttributesCount:   sp.DroppedAttributesCount(),
					DroppedEventsCount:       sp.DroppedEventsCount(),
					DroppedLinksCount:        sp.DroppedLinksCount(),
					ScopeDroppedAttrCount:    sc.DroppedAttributesCount(),
					ResourceDroppedAttrCount: res.DroppedAttributesCount(),
				}
				if evs := sp.Events(); evs.Len() > 0 {
					r.Events = make([]Event, 0, evs.Len())
					for _, ev := range evs.All() {
						r.Events = append(r.Events, Event{
							Timestamp:              nanos(ev.Timestamp()),
							Name:                   in.get(ev.Name()),
							Attributes:             in.kv(ev.Attributes()),
							DroppedAttributesCount: ev.DroppedAttributesCount(),
						})
					}
				}
				if links := sp.Links(); links.Len() > 0 {
					r.Links = make([]Link, 0, links.Len())
					for _, l := range links.All() {
						ltid, lsid := l.TraceID(), l.SpanID()
						r.Links = append(r.Links, Link{
							TraceId:                a.id(ltid[:]),
							SpanId:                 a.id(lsid[:]),
							TraceState:             in.get(l.TraceState().AsRaw()),
							Attributes:             in.kv(l.Attributes()),
							DroppedAttributesCount: l.DroppedAttributesCount(),
							Flags:                  l.Flags(),
						})
					}
				}
				dst = append(dst, r)
			}
		}
	}
	return dst
}
