package limits

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var lim = Limits{MaxAttributes: 3, MaxAttributeValueLength: 5, MaxSpanNameLength: 4, MaxLogBodyLength: 6, MaxEvents: 2, MaxLinks: 1}

func TestTruncateString(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 5, "hello"},
		{"hello", 3, "hel"},
		{"héllo", 2, "h"}, // é is 2 bytes: not split
		{"héllo", 3, "hé"},
		{"日本", 4, "日"},
		{"日本", 2, ""},
		{"", 0, ""},
	} {
		if got := TruncateString(c.in, c.max); got != c.want {
			t.Errorf("TruncateString(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestLogs(t *testing.T) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	for i := range 5 {
		rl.Resource().Attributes().PutStr(fmt.Sprintf("r%d", i), "v")
	}
	r := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	r.Body().SetStr("0123456789")
	r.SetDroppedAttributesCount(1)
	for i := range 10 {
		r.Attributes().PutStr(fmt.Sprintf("a%d", i), strings.Repeat("x", i))
	}
	st, err := lim.Logs(ld)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Body().Str(); got != "012345" {
		t.Errorf("body %q, want the first 6 bytes", got)
	}
	if got := r.Attributes().AsRaw(); fmt.Sprint(got) != "map[a0: a1:x a2:xx]" {
		t.Errorf("attributes %v, want the first three in wire order", got)
	}
	if got := r.DroppedAttributesCount(); got != 1+7 {
		t.Errorf("DroppedAttributesCount %d, want 8 (1 sent + 7 dropped)", got)
	}
	if got := rl.Resource().DroppedAttributesCount(); got != 2 {
		t.Errorf("resource DroppedAttributesCount %d, want 2", got)
	}
	want := Stats{Attributes: 9, Bodies: 1}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
}

func TestStructuredBody(t *testing.T) {
	ld := plog.NewLogs()
	r := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	m := r.Body().SetEmptyMap()
	m.PutStr("short", "abc")
	m.PutEmptySlice("list").AppendEmpty().SetStr("0123456789")
	if _, err := lim.Logs(ld); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(r.Body().AsRaw()); got != "map[list:[012345] short:abc]" {
		t.Errorf("body %s", got)
	}
}

func TestTraces(t *testing.T) {
	td := ptrace.NewTraces()
	s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("checkout")
	s.Attributes().PutStr("long", "0123456789")
	s.Attributes().PutEmptyBytes("bin").FromRaw([]byte("0123456789"))
	for i := range 4 {
		e := s.Events().AppendEmpty()
		e.SetName(fmt.Sprintf("event-%d", i))
		for a := range 4 {
			e.Attributes().PutInt(fmt.Sprint(a), int64(a))
		}
	}
	for range 3 {
		s.Links().AppendEmpty().Attributes().PutStr("k", "v")
	}
	st, err := lim.Traces(td)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "chec" {
		t.Errorf("name %q", s.Name())
	}
	if v, _ := s.Attributes().Get("long"); v.Str() != "01234" {
		t.Errorf("long value %q", v.Str())
	}
	if v, _ := s.Attributes().Get("bin"); string(v.Bytes().AsRaw()) != "01234" {
		t.Errorf("bytes value %q", v.Bytes().AsRaw())
	}
	if s.Events().Len() != 2 || s.DroppedEventsCount() != 2 || s.Events().At(1).Name() != "even" {
		t.Errorf("events: %d kept, %d dropped, second %q", s.Events().Len(), s.DroppedEventsCount(), s.Events().At(1).Name())
	}
	if got := s.Events().At(0).DroppedAttributesCount(); got != 1 {
		t.Errorf("event DroppedAttributesCount %d, want 1", got)
	}
	if s.Links().Len() != 1 || s.DroppedLinksCount() != 2 {
		t.Errorf("links: %d kept, %d dropped", s.Links().Len(), s.DroppedLinksCount())
	}
	want := Stats{Attributes: 2, Values: 2, Names: 3, Events: 2, Links: 2}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
}

func TestNoLimits(t *testing.T) {
	td := ptrace.NewTraces()
	s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName(strings.Repeat("n", 10000))
	for i := range 1000 {
		s.Attributes().PutInt(fmt.Sprint(i), 1)
	}
	if st, err := (Limits{}).Traces(td); err != nil || st != (Stats{}) || s.Attributes().Len() != 1000 {
		t.Errorf("zero limits changed data: %+v %v", st, err)
	}
}

func TestTimestamps(t *testing.T) {
	const past2262 = pcommon.Timestamp(MaxTimestamp + 1)
	cases := []struct {
		name  string
		run   func() error
		field string
	}{
		{"log time", func() error {
			ld := plog.NewLogs()
			ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().SetTimestamp(past2262)
			_, err := lim.Logs(ld)
			return err
		}, "resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano"},
		{"log observed time", func() error {
			ld := plog.NewLogs()
			ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().SetObservedTimestamp(past2262)
			_, err := lim.Logs(ld)
			return err
		}, "resourceLogs[0].scopeLogs[0].logRecords[0].observedTimeUnixNano"},
		{"span end", func() error {
			td := ptrace.NewTraces()
			spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
			spans.AppendEmpty()
			spans.AppendEmpty().SetEndTimestamp(past2262)
			_, err := lim.Traces(td)
			return err
		}, "resourceSpans[0].scopeSpans[0].spans[1].endTimeUnixNano"},
		{"event time", func() error {
			td := ptrace.NewTraces()
			td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Events().AppendEmpty().SetTimestamp(past2262)
			_, err := lim.Traces(td)
			return err
		}, "resourceSpans[0].scopeSpans[0].spans[0].events[0].timeUnixNano"},
		{"gauge point", func() error {
			md := pmetric.NewMetrics()
			md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty().SetTimestamp(past2262)
			return lim.Metrics(md)
		}, "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].timeUnixNano"},
		{"histogram start", func() error {
			md := pmetric.NewMetrics()
			md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyHistogram().DataPoints().AppendEmpty().SetStartTimestamp(past2262)
			return lim.Metrics(md)
		}, "resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0].startTimeUnixNano"},
	}
	for _, c := range cases {
		var te *TimestampError
		err := c.run()
		if !errors.As(err, &te) || te.Field != c.field || !strings.Contains(err.Error(), "2262-04-11") {
			t.Errorf("%s: %v, want a TimestampError naming %s", c.name, err, c.field)
		}
	}
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().SetTimestamp(MaxTimestamp)
	if _, err := lim.Logs(ld); err != nil {
		t.Errorf("the latest storable instant refused: %v", err)
	}
}
