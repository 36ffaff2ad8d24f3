package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// BrowserSession builds what HyperDX's browser SDK sends for one session:
// RUM spans (a page load, a fetch — failed when fail — and then a console
// error; the user's email as a span attribute) and recording records
// (event 2 in 3 chunks), inserted out of order.
func BrowserSession(sid, email string, t0 time.Time, fail bool) (ptrace.Traces, plog.Logs) {
	ts := func(d time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t0.Add(d)) }
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop-web")
	rs.Resource().Attributes().PutStr(store.SessionAttr, sid)
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	add := func(name, comp string, off, dur time.Duration) ptrace.Span {
		sp := spans.AppendEmpty()
		var tid pcommon.TraceID
		copy(tid[:], fmt.Sprintf("%-16s", sid+name)[:16])
		sp.SetTraceID(tid)
		sp.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, byte(off / time.Second)})
		sp.SetName(name)
		sp.SetStartTimestamp(ts(off))
		sp.SetEndTimestamp(ts(off + dur))
		sp.Attributes().PutStr("component", comp)
		sp.Attributes().PutStr("userEmail", email)
		sp.Attributes().PutStr("location.href", "http://shop/"+name)
		sp.Attributes().PutStr("http.user_agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36")
		return sp
	}
	add("documentLoad", "document-load", 0, 300*time.Millisecond)
	f := add("HTTP POST", "fetch", 5*time.Second, 40*time.Millisecond)
	status := "200"
	if fail {
		status = "500"
	}
	f.Attributes().PutStr("http.status_code", status)
	f.Attributes().PutStr("http.url", "http://shop/api/checkout")
	if fail {
		add("console.error", "console", 6*time.Second, 0).Attributes().PutStr("level", "error")
	}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "shop-web")
	rl.Resource().Attributes().PutStr(store.SessionAttr, sid)
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	rec := func(off time.Duration, ev, chunk, total float64, body string) {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(ts(off))
		lr.Body().SetStr(body)
		lr.Attributes().PutDouble("rr-web.event", ev)
		lr.Attributes().PutDouble("rr-web.chunk", chunk)
		lr.Attributes().PutDouble("rr-web.total-chunks", total)
	}
	rec(time.Second, 2, 3, 3, `"left":0}}`)
	rec(0, 1, 1, 1, `{"type":4,"data":{"href":"http://shop/","width":800,"height":600},"timestamp":1}`)
	rec(time.Second, 2, 1, 3, `{"type":2,"timestamp":2,"data":{"node":{"type":0,"childNodes":[],"id":1},`)
	rec(time.Second, 2, 2, 3, `"initialOffset":{"top":0,`)
	rec(2*time.Second, 3, 1, 1, `{"type":3,"data":{"source":2,"type":2,"id":7},"timestamp":3}`)
	return td, ld
}

// testSessions: sessions listed newest first and filtered by a span
// attribute, their summaries (errors, requests, page views, last URL),
// recordings in replay order paged at event boundaries, the timeline, and
// recordings kept out of otel_logs.
func testSessions(t *testing.T, st store.Store) {
	s := st.(interface {
		store.SessionInserter
		store.SessionReader
	})
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour).Truncate(time.Millisecond).UTC()
	for i, sess := range []struct {
		sid, email string
		fail       bool
	}{{"s-braulio", "Braulio.Roberts23@hotmail.com", true}, {"s-other", "ana@example.com", false}} {
		td, ld := BrowserSession(sess.sid, sess.email, t0.Add(time.Duration(i)*time.Minute), sess.fail)
		if err := st.InsertTraces(ctx, td); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertSessions(ctx, ld); err != nil {
			t.Fatal(err)
		}
	}
	start, end := t0.Add(-time.Minute), t0.Add(time.Hour)

	all, err := s.Sessions(ctx, store.SessionsParams{Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].SessionID != "s-other" || all[1].SessionID != "s-braulio" {
		t.Fatalf("sessions newest first: %+v", all)
	}
	filter, err := query.Parse("SpanAttributes.userEmail:Braulio")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Sessions(ctx, store.SessionsParams{Filter: filter, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("filtered sessions: %+v", got)
	}
	b := got[0]
	want := store.SessionSummary{SessionID: "s-braulio", UserEmail: "Braulio.Roberts23@hotmail.com",
		ErrorCount: 2, RequestCount: 1, PageViews: 1, ServiceName: "shop-web",
		LastURL: "http://shop/console.error", Start: t0, End: t0.Add(6 * time.Second), DurationMs: 6000}
	if b.UserAgent == "" {
		t.Error("summary without the user agent")
	}
	b.UserAgent = ""
	if fmt.Sprint(b) != fmt.Sprint(want) {
		t.Errorf("summary\n got %+v\nwant %+v", b, want)
	}
	if got, err := s.Sessions(ctx, store.SessionsParams{Start: start, End: end, Limit: 1}); err != nil || len(got) != 1 || got[0].SessionID != "s-other" {
		t.Errorf("limit 1: %+v, %v", got, err)
	}

	recs, more, err := s.SessionRecords(ctx, store.SessionRecordsParams{SessionID: "s-braulio", Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range recs {
		order = append(order, fmt.Sprintf("%d.%d/%d", r.Event, r.Chunk, r.TotalChunks))
	}
	if fmt.Sprint(order) != "[1.1/1 2.1/3 2.2/3 2.3/3 3.1/1]" || more {
		t.Errorf("record order %v (more %v)", order, more)
	}
	if len(recs) == 5 && (recs[1].Body != `{"type":2,"timestamp":2,"data":{"node":{"type":0,"childNodes":[],"id":1},` || !recs[1].Timestamp.Equal(t0.Add(time.Second))) {
		t.Errorf("record 2.1: %+v", recs[1])
	}
	for _, tc := range []struct {
		offset, limit, maxBytes int
		want                    string
		more                    bool
	}{
		{0, 2, 0, "[1.1/1 2.1/3 2.2/3 2.3/3]", true},
		{0, 1, 0, "[1.1/1]", true},
		{1, 100, 1, "[2.1/3 2.2/3 2.3/3]", true},
		{4, 100, 0, "[3.1/1]", false},
		{5, 100, 0, "[]", false},
	} {
		page, more, err := s.SessionRecords(ctx, store.SessionRecordsParams{SessionID: "s-braulio", Start: start, End: end,
			Offset: tc.offset, Limit: tc.limit, MaxBytes: tc.maxBytes})
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, r := range page {
			got = append(got, fmt.Sprintf("%d.%d/%d", r.Event, r.Chunk, r.TotalChunks))
		}
		if fmt.Sprint(got) != tc.want || more != tc.more {
			t.Errorf("page %+v: %v more=%v, want %s more=%v", tc, got, more, tc.want, tc.more)
		}
	}

	spans, logs, err := s.SessionTimeline(ctx, store.SessionTimelineParams{SessionID: "s-braulio", Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 3 || len(logs) != 0 || spans[0]["SpanName"] != "documentLoad" || spans[2]["SpanName"] != "console.error" {
		t.Errorf("timeline: %d spans, %d logs", len(spans), len(logs))
	}
	res, err := st.Search(ctx, store.SearchParams{Source: &schema.LogsSource, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 0 {
		t.Errorf("otel_logs holds %d rows, want 0 (recordings belong in hyperdx_sessions)", res.Count)
	}
	if _, err := s.Sessions(ctx, store.SessionsParams{}); err == nil {
		t.Error("sessions without a time range accepted")
	}
}
