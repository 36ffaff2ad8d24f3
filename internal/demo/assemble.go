package demo

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Generated spans and logs are grouped by resource (a service's pod) with
// one scope each, as a gateway collector forwarding many services sends
// them; groups are in first-seen order so the output is deterministic.

func ts(t time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t) }

type podKey struct {
	svc int
	pod string
}

func assembleTraces(trs []genTrace) ptrace.Traces {
	td := ptrace.NewTraces()
	groups := map[podKey]ptrace.SpanSlice{}
	for ti := range trs {
		tr := &trs[ti]
		for i := range tr.spans {
			g := &tr.spans[i]
			k := podKey{g.svc, g.pod.name}
			ss, ok := groups[k]
			if !ok {
				rs := td.ResourceSpans().AppendEmpty()
				fillResource(rs.Resource(), g.svc, g.pod)
				sc := rs.ScopeSpans().AppendEmpty()
				sc.Scope().SetName(services[g.svc].scope)
				ss = sc.Spans()
				groups[k] = ss
			}
			sp := ss.AppendEmpty()
			sp.SetTraceID(pcommon.TraceID(tr.id))
			sp.SetSpanID(pcommon.SpanID(g.id))
			if !g.root {
				sp.SetParentSpanID(pcommon.SpanID(g.parent))
			}
			sp.SetFlags(1)
			sp.SetName(g.name)
			sp.SetKind(g.kind)
			sp.SetStartTimestamp(ts(g.start))
			sp.SetEndTimestamp(ts(g.end))
			sp.Status().SetCode(g.status)
			sp.Status().SetMessage(g.msg)
			putAttrs(sp.Attributes(), g.attrs)
			for _, e := range g.events {
				ev := sp.Events().AppendEmpty()
				ev.SetName(e.name)
				ev.SetTimestamp(ts(e.at))
				putAttrs(ev.Attributes(), e.attrs)
			}
		}
	}
	return td
}

func assembleLogs(trs []genTrace) plog.Logs {
	ld := plog.NewLogs()
	groups := map[podKey]plog.LogRecordSlice{}
	for ti := range trs {
		tr := &trs[ti]
		for _, l := range tr.logs {
			sp := &tr.spans[l.span]
			k := podKey{sp.svc, sp.pod.name}
			lrs, ok := groups[k]
			if !ok {
				rl := ld.ResourceLogs().AppendEmpty()
				fillResource(rl.Resource(), sp.svc, sp.pod)
				sl := rl.ScopeLogs().AppendEmpty()
				sl.Scope().SetName(services[sp.svc].scope)
				lrs = sl.LogRecords()
				groups[k] = lrs
			}
			lr := lrs.AppendEmpty()
			lr.SetTimestamp(ts(l.at))
			lr.SetObservedTimestamp(ts(l.at))
			lr.SetSeverityNumber(l.sev)
			lr.SetSeverityText(sevText(l.sev))
			lr.Body().SetStr(l.body)
			lr.SetTraceID(pcommon.TraceID(tr.id))
			lr.SetSpanID(pcommon.SpanID(sp.id))
			lr.SetFlags(1)
			putAttrs(lr.Attributes(), l.attrs)
		}
	}
	return ld
}

func sevText(s plog.SeverityNumber) string {
	switch s {
	case sevError:
		return "ERROR"
	case sevWarn:
		return "WARN"
	}
	return "INFO"
}
