package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Traces of the shop: each trace is one user request entering through the
// proxy (browse, product page, cart, checkout, health check) and fanning
// out over gRPC, HTTP, Redis, Kafka and Postgres, with the client and
// server span of each call. Spans carry the attributes their
// instrumentation really sets (old HTTP/RPC semantic conventions, as the
// demo's SDKs still emit), ~10 per span; ~2% of traces fail somewhere and
// carry error statuses and an exception event up the call chain.

// traceInfo is what a lookup needs to know about one trace of a template.
type traceInfo struct {
	id    [16]byte
	spans int
}

// genSpan is one span before it is placed under its resource.
type genSpan struct {
	svc, pod   int
	trace      [16]byte
	id, parent [8]byte
	root       bool
	name       string
	kind       ptrace.SpanKind
	start, end time.Time
	status     ptrace.StatusCode
	statusMsg  string
	attrs      []kv
	events     []genEvent
}

type genEvent struct {
	at    time.Time
	name  string
	attrs []kv
}

// traceBuilder builds the spans of one trace.
type traceBuilder struct {
	r       *rand.Rand
	shop    *shop
	traceID [16]byte
	spans   []genSpan
	pods    [numServices]int // the replica of each service this request hits
	user    string
	session string
}

// genTraces returns a batch of exactly n spans made of whole traces (the
// last one possibly cut short), whose roots start within [base,
// base+window), grouped by resource (service pod) and scope, plus the ID
// and span count of every trace in it.
func genTraces(r *rand.Rand, sh *shop, n int, base time.Time, window time.Duration) (ptrace.Traces, []traceInfo) {
	return genTracesShape(r, sh, n, base, window, shapeShop)
}

// genTracesShape is genTraces with the traces of the given shape (see
// gen_ten.go).
func genTracesShape(r *rand.Rand, sh *shop, n int, base time.Time, window time.Duration, shape string) (ptrace.Traces, []traceInfo) {
	var all []genSpan
	var infos []traceInfo
	for len(all) < n {
		b := newTraceBuilder(r, sh)
		at := base.Add(time.Duration(r.Int64N(int64(window))))
		if shape == shapeTen {
			b.flowTen(at)
		} else {
			b.flow(at)
		}
		take := min(len(b.spans), n-len(all))
		all = append(all, b.spans[:take]...)
		infos = append(infos, traceInfo{id: b.traceID, spans: take})
	}
	return assembleTraces(sh, all), infos
}

func newTraceBuilder(r *rand.Rand, sh *shop) *traceBuilder {
	b := &traceBuilder{r: r, shop: sh, user: pick(r, sh.users), session: pick(r, sh.sessions)}
	randBytes(r, b.traceID[:])
	for i := range b.pods {
		b.pods[i] = r.IntN(len(sh.pods[i]))
	}
	return b
}

// assembleTraces groups spans by (service, pod) into ResourceSpans with one
// ScopeSpans each, as a gateway collector forwarding many services does.
func assembleTraces(sh *shop, spans []genSpan) ptrace.Traces {
	td := ptrace.NewTraces()
	groups := map[[2]int]ptrace.SpanSlice{}
	for i := range spans {
		g := &spans[i]
		key := [2]int{g.svc, g.pod}
		ss, ok := groups[key]
		if !ok {
			rs := td.ResourceSpans().AppendEmpty()
			rs.SetSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
			sh.fillResource(rs.Resource(), g.svc, g.pod)
			sc := rs.ScopeSpans().AppendEmpty()
			sc.Scope().SetName(sh.services[g.svc].scope)
			sc.Scope().SetVersion(sh.services[g.svc].scVer)
			ss = sc.Spans()
			groups[key] = ss
		}
		sp := ss.AppendEmpty()
		sp.SetTraceID(pcommon.TraceID(g.trace))
		sp.SetSpanID(pcommon.SpanID(g.id))
		if !g.root {
			sp.SetParentSpanID(pcommon.SpanID(g.parent))
		}
		sp.SetFlags(1) // sampled
		sp.SetName(g.name)
		sp.SetKind(g.kind)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(g.start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(g.end))
		sp.Status().SetCode(g.status)
		sp.Status().SetMessage(g.statusMsg)
		putAttrs(sp.Attributes(), g.attrs)
		for _, e := range g.events {
			ev := sp.Events().AppendEmpty()
			ev.SetName(e.name)
			ev.SetTimestamp(pcommon.NewTimestampFromTime(e.at))
			putAttrs(ev.Attributes(), e.attrs)
		}
	}
	return td
}

// span adds a span of svc as a child of parent (-1: the root), over the
// fraction [from, to) of the parent's time, and returns its index.
func (b *traceBuilder) span(parent, svc int, name string, kind ptrace.SpanKind, from, to float64, attrs ...kv) int {
	g := genSpan{svc: svc, pod: b.pods[svc], trace: b.traceID, name: name, kind: kind, attrs: attrs}
	randBytes(b.r, g.id[:])
	if parent >= 0 {
		p := &b.spans[parent]
		g.parent = p.id
		d := p.end.Sub(p.start)
		g.start = p.start.Add(time.Duration(float64(d) * from))
		g.end = p.start.Add(time.Duration(float64(d) * to))
	} else {
		g.root = true
	}
	b.spans = append(b.spans, g)
	return len(b.spans) - 1
}

// fail marks span i and its ancestors as failed, as instrumentation does
// when an error propagates: every span of the chain gets status Error, and
// the failing one an exception event.
func (b *traceBuilder) fail(i int, excType, msg string) {
	s := &b.spans[i]
	s.events = append(s.events, genEvent{at: s.end, name: "exception", attrs: []kv{
		{"exception.type", excType},
		{"exception.message", msg},
		{"exception.stacktrace", fmt.Sprintf("%s: %s\n    at %s (%s:%d)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
			excType, msg, b.shop.services[s.svc].codeFunc, b.shop.services[s.svc].codeFile, 20+b.r.IntN(300))},
	}})
	for j := i; ; {
		sp := &b.spans[j]
		sp.status, sp.statusMsg = ptrace.StatusCodeError, msg
		if sp.root {
			return
		}
		j = b.parentIndex(j)
		if j < 0 {
			return
		}
	}
}

func (b *traceBuilder) parentIndex(i int) int {
	for j := i - 1; j >= 0; j-- {
		if b.spans[j].id == b.spans[i].parent {
			return j
		}
	}
	return -1
}

// rpc adds a gRPC call from parent's service to svc: the client span over
// [from, to) of the parent and the server span inside it. It returns the
// server span.
func (b *traceBuilder) rpc(parent, svc int, service, method string, from, to float64, extra ...kv) int {
	sv := b.shop.services[svc]
	full := "oteldemo." + service + "/" + method
	c := b.span(parent, b.spans[parent].svc, full, ptrace.SpanKindClient, from, to,
		kv{"rpc.system", "grpc"}, kv{"rpc.service", "oteldemo." + service}, kv{"rpc.method", method},
		kv{"rpc.grpc.status_code", 0}, kv{"net.peer.name", sv.name}, kv{"net.peer.port", sv.port},
		kv{"network.transport", "tcp"}, kv{"app.user.id", b.user})
	attrs := append([]kv{{"rpc.system", "grpc"}, {"rpc.service", "oteldemo." + service}, {"rpc.method", method},
		{"rpc.grpc.status_code", 0}, {"net.sock.peer.addr", b.shop.pods[b.spans[parent].svc][b.pods[b.spans[parent].svc]].ip},
		{"net.sock.peer.port", 30000 + b.r.IntN(30000)}, {"net.host.name", sv.name}}, extra...)
	return b.span(c, svc, full, ptrace.SpanKindServer, 0.05+0.05*b.r.Float64(), 0.9+0.08*b.r.Float64(), attrs...)
}

// redis adds a Redis command of the cart service.
func (b *traceBuilder) redis(parent int, cmd string, from, to float64) int {
	return b.span(parent, svcCart, cmd, ptrace.SpanKindClient, from, to,
		kv{"db.system", "redis"}, kv{"db.statement", cmd + " cart:" + b.user},
		kv{"db.operation", cmd}, kv{"db.redis.database_index", 0},
		kv{"net.peer.name", "valkey-cart"}, kv{"net.peer.port", 6379},
		kv{"server.address", "valkey-cart"}, kv{"server.port", 6379},
		kv{"db.connection_string", "valkey-cart:6379"})
}

// flow generates one whole request starting at start.
func (b *traceBuilder) flow(start time.Time) {
	switch x := b.r.IntN(100); {
	case x < 45:
		b.productPage(start)
	case x < 65:
		b.browse(start)
	case x < 80:
		b.addToCart(start)
	case x < 89:
		b.viewCart(start)
	case x < 96:
		b.checkout(start)
	default:
		b.health(start)
	}
}

// ingress is the proxy's span and the frontend's HTTP server span; it
// returns the latter.
func (b *traceBuilder) ingress(start time.Time, method, route, target string, median time.Duration) int {
	d := logNormal(b.r, median, 0.7)
	reqID := uuid(b.r)
	agent := pick(b.r, b.shop.agents)
	root := b.span(-1, svcProxy, "ingress", ptrace.SpanKindServer, 0, 0,
		kv{"node_id", "sidecar~" + b.shop.pods[svcProxy][b.pods[svcProxy]].ip + "~frontend-proxy.otel-demo.svc.cluster.local"},
		kv{"zone", "us-east-1a"}, kv{"guid:x-request-id", reqID},
		kv{"http.url", "http://shop.example.com" + target}, kv{"http.method", method},
		kv{"downstream_cluster", "-"}, kv{"user_agent", agent}, kv{"http.protocol", "HTTP/1.1"},
		kv{"peer.address", fmt.Sprintf("172.18.%d.%d", b.r.IntN(8), b.r.IntN(250))},
		kv{"request_size", b.r.IntN(2000)}, kv{"response_size", 200 + b.r.IntN(20000)},
		kv{"component", "proxy"}, kv{"upstream_cluster", "frontend"}, kv{"http.status_code", "200"})
	b.spans[root].start, b.spans[root].end = start, start.Add(d)
	return b.span(root, svcFrontend, method+" "+route, ptrace.SpanKindServer, 0.02, 0.97,
		kv{"http.method", method}, kv{"http.route", route}, kv{"http.target", target},
		kv{"http.url", "http://frontend:8080" + target}, kv{"http.status_code", 200},
		kv{"http.scheme", "http"}, kv{"http.flavor", "1.1"}, kv{"net.host.name", "frontend"},
		kv{"net.peer.name", "frontend-proxy"}, kv{"http.user_agent", agent},
		kv{"app.session.id", b.session}, kv{"app.request.id", reqID})
}

// convert adds a currency conversion.
func (b *traceBuilder) convert(parent int, from, to float64) {
	cur := pick(b.r, b.shop.currency)
	s := b.rpc(parent, svcCurrency, "CurrencyService", "Convert", from, to,
		kv{"app.currency.conversion.from", "USD"}, kv{"app.currency.conversion.to", cur})
	b.spans[s].name = "Convert"
	b.spans[s].attrs = append(b.spans[s].attrs, kv{"app.currency.amount", money(b.r)})
}

func (b *traceBuilder) getProduct(parent int, id string, from, to float64) int {
	s := b.rpc(parent, svcCatalog, "ProductCatalogService", "GetProduct", from, to,
		kv{"app.product.id", id}, kv{"app.product.name", "product " + id})
	if chance(b.r, 0.004) {
		b.spans[s].attrs = append(b.spans[s].attrs, kv{"app.product.lookup.error", true})
		b.fail(s, "NotFound", "Product Not Found: "+id)
	}
	return s
}

func (b *traceBuilder) productPage(start time.Time) {
	id := pick(b.r, b.shop.products)
	fe := b.ingress(start, "GET", "/api/products/[productId]", "/api/products/"+id, 25*time.Millisecond)
	b.getProduct(fe, id, 0.05, 0.4)
	b.convert(fe, 0.42, 0.6)
	if chance(b.r, 0.5) {
		ad := b.rpc(fe, svcAd, "AdService", "GetAds", 0.6, 0.8, kv{"app.ads.contextKeys", "[accessories]"},
			kv{"app.ads.contextKeys.count", 1}, kv{"app.ads.count", 1 + b.r.IntN(2)}, kv{"app.ads.ad_request_type", "TARGETED"})
		b.span(ad, svcAd, "getAdsByCategory", ptrace.SpanKindInternal, 0.1, 0.6,
			kv{"app.ads.category", "accessories"}, kv{"thread.id", int64(30 + b.r.IntN(40))}, kv{"thread.name", "grpc-default-executor-1"},
			kv{"code.function", "getAdsByCategory"}, kv{"code.namespace", "oteldemo.AdService"})
	}
	if chance(b.r, 0.5) {
		rec := b.rpc(fe, svcRecommendation, "RecommendationService", "ListRecommendations", 0.8, 0.97,
			kv{"app.products_recommended.count", 5}, kv{"app.filtered_products.count", 9}, kv{"app.products.count", 10})
		b.rpc(rec, svcCatalog, "ProductCatalogService", "ListProducts", 0.1, 0.7, kv{"app.products.count", 10})
	}
}

func (b *traceBuilder) browse(start time.Time) {
	fe := b.ingress(start, "GET", "/api/products", "/api/products?currencyCode="+pick(b.r, b.shop.currency), 20*time.Millisecond)
	b.rpc(fe, svcCatalog, "ProductCatalogService", "ListProducts", 0.05, 0.5, kv{"app.products.count", 10})
	n := 1 + b.r.IntN(3)
	for i := range n {
		f := 0.5 + 0.45*float64(i)/float64(n)
		b.convert(fe, f, f+0.4/float64(n))
	}
}

func (b *traceBuilder) addToCart(start time.Time) {
	id := pick(b.r, b.shop.products)
	fe := b.ingress(start, "POST", "/api/cart", "/api/cart?sessionId="+b.session, 15*time.Millisecond)
	c := b.rpc(fe, svcCart, "CartService", "AddItem", 0.1, 0.9, kv{"app.product.id", id}, kv{"app.product.quantity", 1 + b.r.IntN(4)})
	b.redis(c, "HSET", 0.1, 0.6)
	b.redis(c, "EXPIRE", 0.65, 0.9)
}

func (b *traceBuilder) viewCart(start time.Time) {
	fe := b.ingress(start, "GET", "/api/cart", "/api/cart?sessionId="+b.session+"&currencyCode=USD", 15*time.Millisecond)
	c := b.rpc(fe, svcCart, "CartService", "GetCart", 0.05, 0.5, kv{"app.cart.items.count", b.r.IntN(5)})
	b.redis(c, "HGET", 0.1, 0.8)
	b.convert(fe, 0.55, 0.9)
}

func (b *traceBuilder) health(start time.Time) {
	root := b.span(-1, svcFrontend, "GET /api/healthz", ptrace.SpanKindServer, 0, 0,
		kv{"http.method", "GET"}, kv{"http.route", "/api/healthz"}, kv{"http.target", "/api/healthz"},
		kv{"http.status_code", 200}, kv{"http.scheme", "http"}, kv{"http.flavor", "1.1"},
		kv{"net.host.name", "frontend"}, kv{"net.peer.name", "kubelet"}, kv{"http.user_agent", "kube-probe/1.30"},
		kv{"net.sock.peer.addr", b.shop.pods[svcFrontend][b.pods[svcFrontend]].ip})
	b.spans[root].start, b.spans[root].end = start, start.Add(logNormal(b.r, 800*time.Microsecond, 0.4))
}

// checkout is the demo's big trace: PlaceOrder fans out to cart, catalog,
// currency, shipping/quote, payment, email, and publishes to Kafka for
// accounting and fraud detection. About one in five fails at payment.
func (b *traceBuilder) checkout(start time.Time) {
	fe := b.ingress(start, "POST", "/api/checkout", "/api/checkout", 350*time.Millisecond)
	orderID := uuid(b.r)
	items := 1 + b.r.IntN(3)
	po := b.rpc(fe, svcCheckout, "CheckoutService", "PlaceOrder", 0.03, 0.97,
		kv{"app.user.currency", pick(b.r, b.shop.currency)}, kv{"app.order.id", orderID})
	c := b.rpc(po, svcCart, "CartService", "GetCart", 0.01, 0.08, kv{"app.cart.items.count", items})
	b.redis(c, "HGET", 0.1, 0.8)
	for i := range items {
		f := 0.09 + 0.2*float64(i)/float64(items)
		w := 0.2 / float64(items)
		b.getProduct(po, pick(b.r, b.shop.products), f, f+w*0.5)
		b.convert(po, f+w*0.5, f+w*0.95)
	}
	q := b.rpc(po, svcShipping, "ShippingService", "GetQuote", 0.3, 0.42, kv{"app.shipping.items.count", items})
	qc := b.span(q, svcShipping, "POST", ptrace.SpanKindClient, 0.1, 0.9,
		kv{"http.method", "POST"}, kv{"http.url", "http://quote:8090/getquote"}, kv{"http.status_code", 200},
		kv{"net.peer.name", "quote"}, kv{"net.peer.port", 8090}, kv{"http.request_content_length", 20 + b.r.IntN(20)},
		kv{"http.response_content_length", 5 + b.r.IntN(4)}, kv{"otel.scope.name", "reqwest"})
	b.span(qc, svcQuote, "POST /getquote", ptrace.SpanKindServer, 0.1, 0.9,
		kv{"http.method", "POST"}, kv{"http.route", "/getquote"}, kv{"http.target", "/getquote"},
		kv{"http.status_code", 200}, kv{"http.scheme", "http"}, kv{"net.host.name", "quote"},
		kv{"http.user_agent", "reqwest/0.12"}, kv{"app.quote.items.count", items},
		kv{"app.quote.cost.total", money(b.r)}, kv{"http.flavor", "1.1"})
	b.convert(po, 0.43, 0.48)
	pay := b.rpc(po, svcPayment, "PaymentService", "Charge", 0.5, 0.7,
		kv{"app.payment.card_type", pick(b.r, []string{"visa", "mastercard", "amex"})},
		kv{"app.payment.card_valid", true}, kv{"app.payment.amount", money(b.r)},
		kv{"app.loyalty.level", pick(b.r, []string{"gold", "silver", "platinum", "bronze"})})
	if chance(b.r, 0.2) {
		b.spans[pay].attrs = append(b.spans[pay].attrs, kv{"app.payment.charged", false})
		b.fail(pay, "Error", "Payment request failed. Invalid token. app.loyalty.level=gold")
		b.addCheckoutEvents(po, 1)
		return
	}
	b.spans[pay].attrs = append(b.spans[pay].attrs, kv{"app.payment.charged", true}, kv{"app.payment.transaction.id", uuid(b.r)})
	b.rpc(po, svcShipping, "ShippingService", "ShipOrder", 0.71, 0.78, kv{"app.shipping.tracking.id", uuid(b.r)})
	em := b.span(po, svcCheckout, "HTTP POST", ptrace.SpanKindClient, 0.79, 0.88,
		kv{"http.method", "POST"}, kv{"http.url", "http://email:6060/send_order_confirmation"},
		kv{"http.status_code", 200}, kv{"net.peer.name", "email"}, kv{"net.peer.port", 6060},
		kv{"http.flavor", "1.1"}, kv{"http.request_content_length", 300 + b.r.IntN(400)}, kv{"app.order.id", orderID})
	b.span(em, svcEmail, "POST /send_order_confirmation", ptrace.SpanKindServer, 0.1, 0.9,
		kv{"http.method", "POST"}, kv{"http.route", "/send_order_confirmation"}, kv{"http.target", "/send_order_confirmation"},
		kv{"http.status_code", 200}, kv{"http.scheme", "http"}, kv{"net.host.name", "email"},
		kv{"http.user_agent", "Go-http-client/1.1"}, kv{"app.email.recipient", fmt.Sprintf("user%d@example.com", b.r.IntN(100000))},
		kv{"app.order.id", orderID}, kv{"http.flavor", "1.1"})
	ec := b.rpc(po, svcCart, "CartService", "EmptyCart", 0.89, 0.93)
	b.redis(ec, "HDEL", 0.1, 0.8)
	pub := b.span(po, svcCheckout, "orders publish", ptrace.SpanKindProducer, 0.94, 0.96,
		kv{"messaging.system", "kafka"}, kv{"messaging.destination.name", "orders"}, kv{"messaging.operation", "publish"},
		kv{"messaging.kafka.destination.partition", 0}, kv{"messaging.kafka.message.offset", b.r.Int64N(1 << 24)},
		kv{"messaging.client_id", "checkout-" + b.shop.pods[svcCheckout][b.pods[svcCheckout]].name},
		kv{"messaging.message.body.size", 200 + b.r.IntN(300)}, kv{"net.peer.name", "kafka"}, kv{"net.peer.port", 9092},
		kv{"app.order.id", orderID})
	for _, svc := range []int{svcAccounting, svcFraud} {
		cons := b.span(pub, svc, "orders process", ptrace.SpanKindConsumer, 0, 0,
			kv{"messaging.system", "kafka"}, kv{"messaging.destination.name", "orders"}, kv{"messaging.operation", "process"},
			kv{"messaging.kafka.consumer.group", b.shop.services[svc].name}, kv{"messaging.kafka.destination.partition", 0},
			kv{"messaging.kafka.message.offset", b.r.Int64N(1 << 24)}, kv{"messaging.client_id", b.shop.services[svc].name + "-consumer"},
			kv{"messaging.message.body.size", 200 + b.r.IntN(300)}, kv{"app.order.id", orderID})
		// Consumers run after the producer, outside its time window.
		p := b.spans[pub]
		s := &b.spans[cons]
		s.start = p.end.Add(logNormal(b.r, 3*time.Millisecond, 0.8))
		s.end = s.start.Add(logNormal(b.r, 4*time.Millisecond, 0.8))
		if svc == svcAccounting {
			b.span(cons, svcAccounting, "INSERT otel.orders", ptrace.SpanKindClient, 0.2, 0.9,
				kv{"db.system", "postgresql"}, kv{"db.name", "otel"}, kv{"db.operation", "INSERT"},
				kv{"db.sql.table", "orders"}, kv{"db.statement", `INSERT INTO "orders" ("order_id") VALUES (@p0)`},
				kv{"db.user", "otelu"}, kv{"server.address", "postgresql"}, kv{"server.port", 5432},
				kv{"net.peer.name", "postgresql"}, kv{"app.order.id", orderID})
		}
	}
	b.addCheckoutEvents(po, 3)
}

// addCheckoutEvents adds PlaceOrder's progress events (prepared, charged,
// shipped), the first n of them.
func (b *traceBuilder) addCheckoutEvents(po, n int) {
	s := &b.spans[po]
	d := s.end.Sub(s.start)
	for i, name := range []string{"prepared", "charged", "shipped"}[:n] {
		s.events = append(s.events, genEvent{at: s.start.Add(d * time.Duration(3+3*i) / 10), name: name,
			attrs: []kv{{"app.order.id", attrString(s.attrs, "app.order.id")}}})
	}
}

func attrString(attrs []kv, k string) string {
	for _, a := range attrs {
		if a.k == k {
			if s, ok := a.v.(string); ok {
				return s
			}
		}
	}
	return ""
}
