package store

import "strings"

// TraceQLRow is one row of a TraceQL search statement (internal/query/
// traceql), its columns decoded by the backend: the trace, the spanset
// (group and match count) and one matched span.
type TraceQLRow struct {
	TraceID         string
	TraceStart      int64 // Unix ns
	TraceEnd        int64 // Unix ns
	RootServiceName string
	RootTraceName   string
	Group           string // by() values joined by GroupSep
	Matched         int
	SpanID          string
	SpanStart       int64
	SpanDuration    int64
	SpanName        string
	SpanServiceName string
	Selected        []string
}

// GroupSep joins a spanset's by() values in TraceQLRow.Group.
const GroupSep = "\x1f"

// AppendTraceQLRow adds r to out, which holds the rows read so far in the
// statement's order (trace, then group): a new trace or spanset starts
// when its key changes. grouped: the query has by(), so spansets carry
// their group values.
func AppendTraceQLRow(out []TraceQLTrace, r TraceQLRow, grouped bool) []TraceQLTrace {
	if len(out) == 0 || out[len(out)-1].TraceID != r.TraceID {
		out = append(out, TraceQLTrace{TraceID: r.TraceID, StartUnixNano: r.TraceStart, DurationNanos: r.TraceEnd - r.TraceStart,
			RootServiceName: r.RootServiceName, RootTraceName: r.RootTraceName})
	}
	tr := &out[len(out)-1]
	if len(tr.SpanSets) == 0 || strings.Join(tr.SpanSets[len(tr.SpanSets)-1].Group, GroupSep) != r.Group {
		ss := TraceQLSpanSet{Matched: r.Matched}
		if grouped {
			ss.Group = strings.Split(r.Group, GroupSep)
		}
		tr.SpanSets = append(tr.SpanSets, ss)
	}
	ss := &tr.SpanSets[len(tr.SpanSets)-1]
	ss.Spans = append(ss.Spans, TraceQLSpan{SpanID: r.SpanID, StartUnixNano: r.SpanStart, DurationNanos: r.SpanDuration,
		Name: r.SpanName, ServiceName: r.SpanServiceName, Selected: r.Selected})
	return out
}
