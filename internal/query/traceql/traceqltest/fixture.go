// Package traceqltest holds the fixed spans and the conformance table of
// TraceQL queries with the traces each must return, shared by the store
// tests and the e2e test through the binary.
package traceqltest

import (
	"encoding/hex"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Base is the start of the first fixture trace; trace i starts i minutes
// later.
var Base = time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)

// sp is one fixture span.
type sp struct {
	parent   int // index of the parent span + 1; 0 for a root
	svc      string
	name     string
	kind     ptrace.SpanKind
	status   ptrace.StatusCode
	msg      string
	offMs    int // start after the trace start
	durMs    float64
	attrs    map[string]any
	events   []string
	linkToTr int // fixture trace number linked to (0: none)
}

var (
	server   = ptrace.SpanKindServer
	client   = ptrace.SpanKindClient
	internal = ptrace.SpanKindInternal
	producer = ptrace.SpanKindProducer
	consumer = ptrace.SpanKindConsumer
	unset    = ptrace.StatusCodeUnset
	ok       = ptrace.StatusCodeOk
	errc     = ptrace.StatusCodeError
)

// Traces are the fixture traces T1..T8 (index 0 is T1).
var traces = [][]sp{
	// T1: a checkout that works.
	{
		{0, "frontend", "GET /checkout", server, unset, "", 0, 100, map[string]any{"http.method": "GET", "http.status_code": 200}, nil, 0},
		{1, "checkout", "PlaceOrder", server, unset, "", 5, 80, map[string]any{"app.user": "alice"}, nil, 0},
		{2, "checkout", "SELECT orders", client, unset, "", 10, 20, map[string]any{"db.system": "postgres"}, nil, 0},
		{2, "payment", "Charge", server, unset, "", 40, 40, map[string]any{"app.amount": 12.5}, nil, 0},
	},
	// T2: a checkout failing in payment.
	{
		{0, "frontend", "GET /checkout", server, errc, "", 0, 900, map[string]any{"http.method": "GET", "http.status_code": 500}, nil, 0},
		{1, "checkout", "PlaceOrder", server, errc, "payment failed", 5, 850, map[string]any{"app.user": "carol"}, nil, 0},
		{2, "payment", "Charge", server, errc, "", 10, 800, map[string]any{"app.amount": 99}, []string{"exception"}, 0},
		{3, "payment", "POST /charge", client, errc, "", 20, 700, map[string]any{"peer.service": "stripe", "http.method": "POST"}, nil, 0},
	},
	// T3: a cart read with two cache calls.
	{
		{0, "frontend", "GET /cart", server, ok, "", 0, 30, map[string]any{"http.method": "GET", "http.status_code": 200}, nil, 0},
		{1, "cart", "GetCart", server, unset, "", 2, 10, map[string]any{"app.user": "bob"}, nil, 0},
		{2, "cart", "redis GET", client, unset, "", 3, 2, map[string]any{"db.system": "redis"}, nil, 0},
		{2, "cart", "redis GET", client, unset, "", 6, 3, map[string]any{"db.system": "redis"}, nil, 0},
	},
	// T4: a batch job producing three messages (staging).
	{
		{0, "worker", "process-batch", internal, unset, "", 0, 5000, map[string]any{"batch.size": 3, "cached": true}, nil, 0},
		{1, "worker", "produce", producer, unset, "", 100, 10, map[string]any{"messaging.system": "kafka"}, nil, 0},
		{1, "worker", "produce", producer, unset, "", 200, 12, map[string]any{"messaging.system": "kafka"}, nil, 0},
		{1, "worker", "produce", producer, unset, "", 300, 11, map[string]any{"messaging.system": "kafka"}, nil, 0},
	},
	// T5: a consumer linked to T4, with events.
	{
		{0, "consumer-svc", "consume", consumer, unset, "", 0, 50, map[string]any{"messaging.system": "kafka"}, nil, 4},
		{1, "consumer-svc", "store", internal, unset, "", 10, 20, nil, []string{"retry", "stored"}, 0},
	},
	// T6: a cart read failing on a timeout.
	{
		{0, "frontend", "GET /cart", server, errc, "", 0, 40, map[string]any{"http.method": "GET", "http.status_code": 503}, nil, 0},
		{1, "cart", "GetCart", server, errc, "redis timeout", 2, 35, map[string]any{"app.user": "bob"}, nil, 0},
	},
	// T7: a slow checkout that works.
	{
		{0, "frontend", "GET /checkout", server, ok, "", 0, 2000, map[string]any{"http.method": "GET", "http.status_code": 200}, nil, 0},
		{1, "checkout", "PlaceOrder", server, unset, "", 10, 1900, map[string]any{"app.user": "alice"}, nil, 0},
		{2, "payment", "Charge", server, unset, "", 20, 1500, map[string]any{"app.amount": 30}, nil, 0},
	},
	// T8: a health check.
	{
		{0, "frontend", "GET /health", server, unset, "", 0, 1, map[string]any{"http.method": "GET", "http.status_code": 200}, nil, 0},
	},
}

// NumTraces is the number of fixture traces.
func NumTraces() int { return len(traces) }

// NumSpans is the number of fixture spans.
func NumSpans() int {
	n := 0
	for _, t := range traces {
		n += len(t)
	}
	return n
}

// TraceID is the hex ID of fixture trace n (1-based).
func TraceID(n int) string { return fmt.Sprintf("%032x", 0x7a0000+n) }

// SpanID is the hex ID of span j (0-based) of trace n.
func SpanID(n, j int) string { return fmt.Sprintf("%014x%02x", 0xb0+n, j+1) }

// TraceName is "T<n>" for a trace ID of the fixture, else the ID.
func TraceName(id string) string {
	for n := 1; n <= len(traces); n++ {
		if TraceID(n) == id {
			return fmt.Sprintf("T%d", n)
		}
	}
	return id
}

// resources are the resource attributes per service.
var resources = map[string]map[string]string{
	"frontend":     {"deployment.environment": "prod", "service.version": "1.2"},
	"checkout":     {"deployment.environment": "prod"},
	"payment":      {"deployment.environment": "prod"},
	"cart":         {"deployment.environment": "prod"},
	"worker":       {"deployment.environment": "staging"},
	"consumer-svc": {"deployment.environment": "prod"},
}

func hexID8(s string) (b [8]byte) {
	_, _ = hex.Decode(b[:], []byte(s))
	return b
}

func hexID16(s string) (b [16]byte) {
	_, _ = hex.Decode(b[:], []byte(s))
	return b
}

// Traces returns the fixture, shifted so that trace 1 starts at base.
func Traces(base time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	byService := map[string]ptrace.SpanSlice{}
	for ti, t := range traces {
		n := ti + 1
		start := base.Add(time.Duration(ti) * time.Minute)
		for j, s := range t {
			ss, okk := byService[s.svc]
			if !okk {
				rs := td.ResourceSpans().AppendEmpty()
				rs.Resource().Attributes().PutStr("service.name", s.svc)
				for k, v := range resources[s.svc] {
					rs.Resource().Attributes().PutStr(k, v)
				}
				sc := rs.ScopeSpans().AppendEmpty()
				sc.Scope().SetName("traceqltest")
				ss = sc.Spans()
				byService[s.svc] = ss
			}
			span := ss.AppendEmpty()
			span.SetTraceID(pcommon.TraceID(hexID16(TraceID(n))))
			span.SetSpanID(pcommon.SpanID(hexID8(SpanID(n, j))))
			if s.parent > 0 {
				span.SetParentSpanID(pcommon.SpanID(hexID8(SpanID(n, s.parent-1))))
			}
			span.SetName(s.name)
			span.SetKind(s.kind)
			span.Status().SetCode(s.status)
			span.Status().SetMessage(s.msg)
			st := start.Add(time.Duration(s.offMs) * time.Millisecond)
			span.SetStartTimestamp(pcommon.NewTimestampFromTime(st))
			span.SetEndTimestamp(pcommon.NewTimestampFromTime(st.Add(time.Duration(s.durMs * float64(time.Millisecond)))))
			for k, v := range s.attrs {
				switch v := v.(type) {
				case string:
					span.Attributes().PutStr(k, v)
				case int:
					span.Attributes().PutInt(k, int64(v))
				case float64:
					span.Attributes().PutDouble(k, v)
				case bool:
					span.Attributes().PutBool(k, v)
				}
			}
			for ei, e := range s.events {
				ev := span.Events().AppendEmpty()
				ev.SetName(e)
				ev.SetTimestamp(pcommon.NewTimestampFromTime(st.Add(time.Duration(ei) * time.Millisecond)))
			}
			if s.linkToTr > 0 {
				l := span.Links().AppendEmpty()
				l.SetTraceID(pcommon.TraceID(hexID16(TraceID(s.linkToTr))))
				l.SetSpanID(pcommon.SpanID(hexID8(SpanID(s.linkToTr, 0))))
			}
		}
	}
	return td
}
