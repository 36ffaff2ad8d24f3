package demo

import (
	"math/rand/v2"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A trace is built top down: a call opens a span, lays out its children
// one after the other from a time cursor, and closes when the last child
// returns, so every parent encloses its children and a slow payment
// makes the whole checkout slow.

// genSpan is one span before it is placed under its resource.
type genSpan struct {
	svc        int
	pod        pod
	id, parent [8]byte
	root       bool
	name       string
	kind       ptrace.SpanKind
	start, end time.Time
	status     ptrace.StatusCode
	msg        string
	attrs      []kv
	events     []genEvent
}

type genEvent struct {
	at    time.Time
	name  string
	attrs []kv
}

// genLog is one log record, correlated with a span of its trace.
type genLog struct {
	span int // index into trace.spans
	at   time.Time
	sev  plog.SeverityNumber
	body string
	// attrs are the record's attributes.
	attrs []kv
}

// genTrace is one user request: its spans and the logs written on the way.
type genTrace struct {
	id    [16]byte
	spans []genSpan
	logs  []genLog
}

// builder builds one trace.
type builder struct {
	r     *rand.Rand
	sh    *shop
	st    state // the incident when the request arrived
	tr    genTrace
	user  user
	agent string
	fe    int // the frontend replica serving this request
}

func newBuilder(r *rand.Rand, sh *shop, st state) *builder {
	b := &builder{r: r, sh: sh, st: st, user: pick(r, sh.users), agent: pick(r, sh.agents)}
	randBytes(r, b.tr.id[:])
	b.fe = r.IntN(len(sh.pods[svcFrontend]))
	return b
}

// podOf is the pod of svc serving this request.
func (b *builder) podOf(svc int) pod {
	switch svc {
	case svcWeb:
		return pod{}
	case svcFrontend:
		return b.sh.pods[svcFrontend][b.fe]
	}
	return b.sh.pod(svc, 0, b.st.cycle)
}

// open starts a span of svc at start under parent (-1: the root).
func (b *builder) open(parent, svc int, name string, kind ptrace.SpanKind, start time.Time, attrs ...kv) int {
	g := genSpan{svc: svc, pod: b.podOf(svc), name: name, kind: kind, start: start, end: start, attrs: attrs}
	randBytes(b.r, g.id[:])
	if parent >= 0 {
		g.parent = b.tr.spans[parent].id
	} else {
		g.root = true
	}
	b.tr.spans = append(b.tr.spans, g)
	return len(b.tr.spans) - 1
}

func (b *builder) close(i int, end time.Time) time.Time {
	b.tr.spans[i].end = end
	return end
}

func (b *builder) attr(i int, attrs ...kv) {
	b.tr.spans[i].attrs = append(b.tr.spans[i].attrs, attrs...)
}

// fail sets span i's status to Error with msg.
func (b *builder) fail(i int, msg string) {
	b.tr.spans[i].status, b.tr.spans[i].msg = ptrace.StatusCodeError, msg
}

// exception records an exception event on span i.
func (b *builder) exception(i int, typ, msg string) {
	s := &b.tr.spans[i]
	s.events = append(s.events, genEvent{at: s.end, name: "exception", attrs: []kv{
		{"exception.type", typ}, {"exception.message", msg},
	}})
}

// log writes a record from span i's service, at offset into the span.
func (b *builder) log(i int, at time.Time, sev plog.SeverityNumber, body string, attrs ...kv) {
	b.tr.logs = append(b.tr.logs, genLog{span: i, at: at, sev: sev, body: body, attrs: attrs})
}

// net is one network hop.
func (b *builder) net() time.Duration {
	return 150*time.Microsecond + time.Duration(b.r.IntN(400))*time.Microsecond
}

// work is time a service spends on its own.
func (b *builder) work(median time.Duration) time.Duration { return logNormal(b.r, median, 0.5) }

// body lays out a server span's children from t and returns when it ends.
type body func(srv int, t time.Time) time.Time

// rpc is a gRPC call from parent's service to svc: the client span, and
// the server span inside it whose children body lays out. It returns the
// server span and the time the call returned.
func (b *builder) rpc(parent, svc int, service, method string, t time.Time, extra []kv, fn body) (srv int, end time.Time) {
	sv := services[svc]
	full := "oteldemo." + service + "/" + method
	c := b.open(parent, b.tr.spans[parent].svc, full, ptrace.SpanKindClient, t,
		kv{"rpc.system", "grpc"}, kv{"rpc.service", "oteldemo." + service}, kv{"rpc.method", method},
		kv{"server.address", sv.name}, kv{"server.port", sv.port}, kv{"rpc.grpc.status_code", 0})
	srv = b.open(c, svc, full, ptrace.SpanKindServer, t.Add(b.net()), append([]kv{
		{"rpc.system", "grpc"}, {"rpc.service", "oteldemo." + service}, {"rpc.method", method},
		{"rpc.grpc.status_code", 0}, {"client.address", b.tr.spans[parent].pod.ip}}, extra...)...)
	st := b.tr.spans[srv].start
	var e time.Time
	if fn != nil {
		e = fn(srv, st)
	} else {
		e = st.Add(b.work(2 * time.Millisecond))
	}
	b.close(srv, e)
	return srv, b.close(c, e.Add(b.net()))
}

// rpcFailed marks a failed call: the server span, its client span, with
// gRPC status code code.
func (b *builder) rpcFailed(srv int, code int, msg string) {
	b.fail(srv, msg)
	c := b.parentOf(srv)
	b.fail(c, msg)
	for _, i := range []int{srv, c} {
		for k, a := range b.tr.spans[i].attrs {
			if a.k == "rpc.grpc.status_code" {
				b.tr.spans[i].attrs[k].v = code
			}
		}
	}
}

// http is an HTTP call from parent's service to svc.
func (b *builder) http(parent, svc int, method, route string, t time.Time, extra []kv, fn body) (srv int, end time.Time) {
	sv := services[svc]
	c := b.open(parent, b.tr.spans[parent].svc, method, ptrace.SpanKindClient, t,
		kv{"http.request.method", method}, kv{"url.full", "http://" + sv.name + ":" + strconv.Itoa(sv.port) + route},
		kv{"server.address", sv.name}, kv{"server.port", sv.port}, kv{"http.response.status_code", 200})
	srv = b.open(c, svc, method+" "+route, ptrace.SpanKindServer, t.Add(b.net()), append([]kv{
		{"http.request.method", method}, {"http.route", route}, {"url.path", route},
		{"http.response.status_code", 200}, {"client.address", b.tr.spans[parent].pod.ip}}, extra...)...)
	st := b.tr.spans[srv].start
	var e time.Time
	if fn != nil {
		e = fn(srv, st)
	} else {
		e = st.Add(b.work(3 * time.Millisecond))
	}
	b.close(srv, e)
	return srv, b.close(c, e.Add(b.net()))
}

func (b *builder) parentOf(i int) int {
	for j := i - 1; j >= 0; j-- {
		if b.tr.spans[j].id == b.tr.spans[i].parent {
			return j
		}
	}
	return -1
}

// setAttr replaces attribute k of span i.
func (b *builder) setAttr(i int, k string, v any) {
	for n, a := range b.tr.spans[i].attrs {
		if a.k == k {
			b.tr.spans[i].attrs[n].v = v
			return
		}
	}
	b.attr(i, kv{k, v})
}
