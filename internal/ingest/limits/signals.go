package limits

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Traces checks timestamps first (nothing is changed if one is out of
// range), then applies the limits to td in place.
func (l Limits) Traces(td ptrace.Traces) (Stats, error) {
	var st Stats
	if err := TraceTimes(td); err != nil {
		return st, err
	}
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		r := rs.Resource()
		r.SetDroppedAttributesCount(addDropped(r.DroppedAttributesCount(), l.attributes(r.Attributes(), &st)))
		sss := rs.ScopeSpans()
		for j := range sss.Len() {
			sc := sss.At(j).Scope()
			sc.SetDroppedAttributesCount(addDropped(sc.DroppedAttributesCount(), l.attributes(sc.Attributes(), &st)))
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				l.span(spans.At(k), &st)
			}
		}
	}
	return st, nil
}

// TraceTimes checks that every timestamp of td can be stored; it changes
// nothing.
func TraceTimes(td ptrace.Traces) error {
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				if err := spanTimes(spans.At(k), i, j, k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// TracesWithin reports whether td is within every limit, so that Traces
// would change nothing in it. It only reads td: the store exporter uses it
// to store data it shares with other consumers (the span-metrics and
// service-graph connectors) without copying it, and copies only a batch
// that needs truncating.
func (l Limits) TracesWithin(td ptrace.Traces) bool {
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		if !l.attributesWithin(rs.Resource().Attributes()) {
			return false
		}
		sss := rs.ScopeSpans()
		for j := range sss.Len() {
			if !l.attributesWithin(sss.At(j).Scope().Attributes()) {
				return false
			}
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				if !l.spanWithin(spans.At(k)) {
					return false
				}
			}
		}
	}
	return true
}

func (l Limits) spanWithin(s ptrace.Span) bool {
	if _, cut := l.truncName(s.Name()); cut || !l.attributesWithin(s.Attributes()) {
		return false
	}
	evs := s.Events()
	if l.MaxEvents > 0 && evs.Len() > l.MaxEvents {
		return false
	}
	for e := range evs.Len() {
		ev := evs.At(e)
		if _, cut := l.truncName(ev.Name()); cut || !l.attributesWithin(ev.Attributes()) {
			return false
		}
	}
	links := s.Links()
	if l.MaxLinks > 0 && links.Len() > l.MaxLinks {
		return false
	}
	for k := range links.Len() {
		if !l.attributesWithin(links.At(k).Attributes()) {
			return false
		}
	}
	return true
}

func spanTimes(s ptrace.Span, i, j, k int) error {
	at := func(f string) func() string {
		return func() string { return fmt.Sprintf("resourceSpans[%d].scopeSpans[%d].spans[%d].%s", i, j, k, f) }
	}
	if err := checkTime(s.StartTimestamp(), at("startTimeUnixNano")); err != nil {
		return err
	}
	if err := checkTime(s.EndTimestamp(), at("endTimeUnixNano")); err != nil {
		return err
	}
	evs := s.Events()
	for e := range evs.Len() {
		if err := checkTime(evs.At(e).Timestamp(), at(fmt.Sprintf("events[%d].timeUnixNano", e))); err != nil {
			return err
		}
	}
	return nil
}

func (l Limits) span(s ptrace.Span, st *Stats) {
	if name, cut := l.truncName(s.Name()); cut {
		s.SetName(name)
		st.Names++
	}
	s.SetDroppedAttributesCount(addDropped(s.DroppedAttributesCount(), l.attributes(s.Attributes(), st)))
	evs := s.Events()
	if l.MaxEvents > 0 && evs.Len() > l.MaxEvents {
		n := evs.Len() - l.MaxEvents
		i := 0
		evs.RemoveIf(func(ptrace.SpanEvent) bool { i++; return i > l.MaxEvents })
		s.SetDroppedEventsCount(addDropped(s.DroppedEventsCount(), uint32(n)))
		st.Events += n
	}
	for e := range evs.Len() {
		ev := evs.At(e)
		if name, cut := l.truncName(ev.Name()); cut {
			ev.SetName(name)
			st.Names++
		}
		ev.SetDroppedAttributesCount(addDropped(ev.DroppedAttributesCount(), l.attributes(ev.Attributes(), st)))
	}
	links := s.Links()
	if l.MaxLinks > 0 && links.Len() > l.MaxLinks {
		n := links.Len() - l.MaxLinks
		i := 0
		links.RemoveIf(func(ptrace.SpanLink) bool { i++; return i > l.MaxLinks })
		s.SetDroppedLinksCount(addDropped(s.DroppedLinksCount(), uint32(n)))
		st.Links += n
	}
	for k := range links.Len() {
		lk := links.At(k)
		lk.SetDroppedAttributesCount(addDropped(lk.DroppedAttributesCount(), l.attributes(lk.Attributes(), st)))
	}
}

// Logs checks timestamps, then applies the limits to ld in place.
func (l Limits) Logs(ld plog.Logs) (Stats, error) {
	var st Stats
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		sls := rls.At(i).ScopeLogs()
		for j := range sls.Len() {
			recs := sls.At(j).LogRecords()
			for k := range recs.Len() {
				r := recs.At(k)
				at := func(f string) func() string {
					return func() string { return fmt.Sprintf("resourceLogs[%d].scopeLogs[%d].logRecords[%d].%s", i, j, k, f) }
				}
				if err := checkTime(r.Timestamp(), at("timeUnixNano")); err != nil {
					return st, err
				}
				if err := checkTime(r.ObservedTimestamp(), at("observedTimeUnixNano")); err != nil {
					return st, err
				}
			}
		}
	}
	for i := range rls.Len() {
		rl := rls.At(i)
		r := rl.Resource()
		r.SetDroppedAttributesCount(addDropped(r.DroppedAttributesCount(), l.attributes(r.Attributes(), &st)))
		sls := rl.ScopeLogs()
		for j := range sls.Len() {
			sc := sls.At(j).Scope()
			sc.SetDroppedAttributesCount(addDropped(sc.DroppedAttributesCount(), l.attributes(sc.Attributes(), &st)))
			recs := sls.At(j).LogRecords()
			for k := range recs.Len() {
				r := recs.At(k)
				if l.MaxLogBodyLength > 0 && truncateValue(r.Body(), l.MaxLogBodyLength) {
					st.Bodies++
				}
				r.SetDroppedAttributesCount(addDropped(r.DroppedAttributesCount(), l.attributes(r.Attributes(), &st)))
			}
		}
	}
	return st, nil
}

// Metrics only checks timestamps: a point's attributes are its series'
// identity, so they are not truncated.
func (l Limits) Metrics(md pmetric.Metrics) error {
	rms := md.ResourceMetrics()
	for i := range rms.Len() {
		sms := rms.At(i).ScopeMetrics()
		for j := range sms.Len() {
			ms := sms.At(j).Metrics()
			for k := range ms.Len() {
				if err := metricTimes(ms.At(k), i, j, k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

type timed interface {
	StartTimestamp() pcommon.Timestamp
	Timestamp() pcommon.Timestamp
}

func metricTimes(m pmetric.Metric, i, j, k int) error {
	check := func(p timed, kind string, n int) error {
		at := func(f string) func() string {
			return func() string {
				return fmt.Sprintf("resourceMetrics[%d].scopeMetrics[%d].metrics[%d].%s.dataPoints[%d].%s", i, j, k, kind, n, f)
			}
		}
		if err := checkTime(p.StartTimestamp(), at("startTimeUnixNano")); err != nil {
			return err
		}
		return checkTime(p.Timestamp(), at("timeUnixNano"))
	}
	var err error
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		err = each(m.Gauge().DataPoints(), "gauge", check)
	case pmetric.MetricTypeSum:
		err = each(m.Sum().DataPoints(), "sum", check)
	case pmetric.MetricTypeHistogram:
		err = each(m.Histogram().DataPoints(), "histogram", check)
	case pmetric.MetricTypeExponentialHistogram:
		err = each(m.ExponentialHistogram().DataPoints(), "exponentialHistogram", check)
	case pmetric.MetricTypeSummary:
		err = each(m.Summary().DataPoints(), "summary", check)
	}
	return err
}

type points[P timed] interface {
	Len() int
	At(int) P
}

func each[P timed](ps points[P], kind string, check func(timed, string, int) error) error {
	for n := range ps.Len() {
		if err := check(ps.At(n), kind, n); err != nil {
			return err
		}
	}
	return nil
}
