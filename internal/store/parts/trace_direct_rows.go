package parts

import (
	"fmt"
)

// assembler builds SpanRows from the direct reader's columns (the wanted
// rows of each leaf column, trace_direct.go). Every column's values are
// consumed in row order: cur is the next value of each column. The
// strings of a column are substrings of one copy of its arena, the byte
// slices slices of the arena itself: the rows own their memory (nothing
// points into a reused buffer).
type assembler struct {
	cols []*colData
	strs []string
	cur  []int
	n    int
}

// errAssemble: the columns do not hold the same rows.
var errAssemble = fmt.Errorf("direct reader: columns disagree: %w", errMalformed)

// assembleSpans appends the n wanted rows (TraceId id) built from cols
// (nil at TraceId's index) to out.
func assembleSpans(cols []*colData, n int, id []byte, out []SpanRow) ([]SpanRow, error) {
	a := assembler{cols: cols, strs: make([]string, len(cols)), cur: make([]int, len(cols)), n: n}
	for c, d := range cols {
		if c == spanCol.traceID {
			continue
		}
		if d == nil || len(d.start) != n+1 {
			return out, errAssemble
		}
		spec := spanLeaves[c]
		if spec.kind == kindBytes {
			a.strs[c] = string(d.arena)
		}
		entries := int(d.start[n])
		if (spec.maxRep > 0 && len(d.rep) != entries) || (spec.maxDef > 0 && len(d.def) != entries) {
			return out, errAssemble
		}
	}
	c := &spanCol
	start := len(out)
	for i := range n {
		r := SpanRow{
			Timestamp:                a.int(c.ts, i),
			TraceId:                  append([]byte(nil), id...),
			SpanId:                   a.bytes(c.spanID, i),
			ParentSpanId:             a.bytes(c.parent, i),
			TraceState:               a.str(c.traceState, i),
			SpanName:                 a.str(c.spanName, i),
			SpanKind:                 a.str(c.spanKind, i),
			ServiceName:              a.str(c.service, i),
			ResourceAttributes:       KV{Keys: a.list(c.resK, i), Values: a.list(c.resV, i)},
			ScopeName:                a.str(c.scopeName, i),
			ScopeVersion:             a.str(c.scopeVersion, i),
			SpanAttributes:           KV{Keys: a.list(c.spanK, i), Values: a.list(c.spanV, i)},
			Duration:                 uint64(a.int(c.duration, i)),
			StatusCode:               a.str(c.statusCode, i),
			StatusMessage:            a.str(c.statusMsg, i),
			ResourceSchemaUrl:        a.str(c.resURL, i),
			ScopeSchemaUrl:           a.str(c.scopeURL, i),
			ScopeAttributes:          KV{Keys: a.list(c.scopeK, i), Values: a.list(c.scopeV, i)},
			TraceFlags:               uint32(a.int(c.traceFlags, i)),
			DroppedAttributesCount:   uint32(a.int(c.dropAttr, i)),
			DroppedEventsCount:       uint32(a.int(c.dropEv, i)),
			DroppedLinksCount:        uint32(a.int(c.dropLk, i)),
			ScopeDroppedAttrCount:    uint32(a.int(c.scopeDrop, i)),
			ResourceDroppedAttrCount: uint32(a.int(c.resDrop, i)),
		}
		if len(r.ResourceAttributes.Keys) != len(r.ResourceAttributes.Values) ||
			len(r.SpanAttributes.Keys) != len(r.SpanAttributes.Values) ||
			len(r.ScopeAttributes.Keys) != len(r.ScopeAttributes.Values) {
			return out[:start], errAssemble
		}
		var err error
		if r.Events, err = a.events(i); err != nil {
			return out[:start], err
		}
		if r.Links, err = a.links(i); err != nil {
			return out[:start], err
		}
		out = append(out, r)
	}
	// Every value consumed, none missing.
	for col, d := range cols {
		if d == nil {
			continue
		}
		if a.cur[col] < 0 || a.cur[col] != max(len(d.ints), len(d.offs)/2) {
			return out[:start], errAssemble
		}
	}
	return out, nil
}

// value returns the index of the next value of column c and consumes it
// (-1 when there is none: the check after assembly fails).
func (a *assembler) value(c int) int {
	d := a.cols[c]
	k := a.cur[c]
	if k < 0 || k >= max(len(d.ints), len(d.offs)/2) {
		a.cur[c] = -1 << 30
		return -1
	}
	a.cur[c]++
	return k
}

func (a *assembler) int(c, i int) int64 {
	if k := a.value(c); k >= 0 && k < len(a.cols[c].ints) {
		return a.cols[c].ints[k]
	}
	return 0
}

func (a *assembler) str(c, i int) string {
	d := a.cols[c]
	if k := a.value(c); k >= 0 && 2*k+1 < len(d.offs) {
		return a.strs[c][d.offs[2*k]:d.offs[2*k+1]]
	}
	return ""
}

func (a *assembler) bytes(c, i int) []byte {
	d := a.cols[c]
	if k := a.value(c); k >= 0 && 2*k+1 < len(d.offs) {
		lo, hi := d.offs[2*k], d.offs[2*k+1]
		if lo == hi {
			return []byte{} // as parquet-go reads an empty value
		}
		return d.arena[lo:hi:hi]
	}
	return nil
}

// list returns the string values of row i of a list column (levels 1/1).
func (a *assembler) list(c, i int) []string {
	d := a.cols[c]
	lo, hi := d.start[i], d.start[i+1]
	out := make([]string, 0, hi-lo)
	for e := lo; e < hi; e++ {
		if d.def[e] == 1 {
			out = append(out, a.str(c, i))
		}
	}
	return out
}

// elems returns the number of list elements of row i of a column of a
// list's elements (levels 1/1: Events' and Links' fields).
func (a *assembler) elems(c, i int) int {
	d := a.cols[c]
	k := 0
	for e := d.start[i]; e < d.start[i+1]; e++ {
		if d.def[e] == 1 {
			k++
		}
	}
	return k
}

// groups returns the string values of row i of a map column inside a
// list's elements (levels 2/2), one list per element.
func (a *assembler) groups(c, i int) [][]string {
	d := a.cols[c]
	var out [][]string
	for e := d.start[i]; e < d.start[i+1]; e++ {
		if d.def[e] == 0 {
			continue // no element
		}
		if d.rep[e] <= 1 {
			out = append(out, []string{})
		}
		if d.def[e] == 2 && len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], a.str(c, i))
		}
	}
	return out
}

func (a *assembler) events(i int) ([]Event, error) {
	c := &spanCol
	n := a.elems(c.evTs, i)
	if a.elems(c.evName, i) != n || a.elems(c.evDropped, i) != n {
		return nil, errAssemble
	}
	keys, vals := a.groups(c.evK, i), a.groups(c.evV, i)
	if len(keys) != n || len(vals) != n {
		return nil, errAssemble
	}
	if n == 0 {
		return nil, nil
	}
	out := make([]Event, n)
	for k := range out {
		if len(keys[k]) != len(vals[k]) {
			return nil, errAssemble
		}
		out[k] = Event{Timestamp: a.int(c.evTs, i), Name: a.str(c.evName, i),
			Attributes: KV{Keys: keys[k], Values: vals[k]}, DroppedAttributesCount: uint32(a.int(c.evDropped, i))}
	}
	return out, nil
}

func (a *assembler) links(i int) ([]Link, error) {
	c := &spanCol
	n := a.elems(c.lkTrace, i)
	if a.elems(c.lkSpan, i) != n || a.elems(c.lkState, i) != n || a.elems(c.lkDropped, i) != n || a.elems(c.lkFlags, i) != n {
		return nil, errAssemble
	}
	keys, vals := a.groups(c.lkK, i), a.groups(c.lkV, i)
	if len(keys) != n || len(vals) != n {
		return nil, errAssemble
	}
	if n == 0 {
		return nil, nil
	}
	out := make([]Link, n)
	for k := range out {
		if len(keys[k]) != len(vals[k]) {
			return nil, errAssemble
		}
		out[k] = Link{TraceId: a.bytes(c.lkTrace, i), SpanId: a.bytes(c.lkSpan, i), TraceState: a.str(c.lkState, i),
			Attributes:             KV{Keys: keys[k], Values: vals[k]},
			DroppedAttributesCount: uint32(a.int(c.lkDropped, i)), Flags: uint32(a.int(c.lkFlags, i))}
	}
	return out, nil
}
