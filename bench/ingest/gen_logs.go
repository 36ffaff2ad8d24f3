package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Logs of the shop: the proxy's access log lines and the services'
// application logs, written while serving requests. Bodies are the
// formatted messages real services print, with their variable parts (IDs,
// amounts, durations, addresses); severities are mostly INFO with DEBUG,
// WARN and some ERROR; every record has ~10 attributes (code location,
// thread or logger, request-scoped IDs, message fields) and most carry the
// trace and span of the request that wrote them.

// logLine is one record before it is placed under its resource.
type logLine struct {
	svc, pod int
	at       time.Time
	sev      plog.SeverityNumber
	body     string
	attrs    []kv
	trace    [16]byte
	span     [8]byte
}

// logReq is the request a group of records is written for.
type logReq struct {
	r         *rand.Rand
	shop      *shop
	at        time.Time
	user      string
	session   string
	requestID string
	orderID   string
	product   string
}

// logKind writes one message of a service.
type logKind struct {
	svc    int
	weight int
	write  func(q *logReq) (plog.SeverityNumber, string, []kv)
}

// logTraced is the share of records that carry a trace context.
const logTraced = 0.85

// genLogs returns a batch of exactly n records whose times fall within
// [base, base+window) (plus a few ms), grouped by resource (service pod) and
// scope.
func genLogs(r *rand.Rand, sh *shop, n int, base time.Time, window time.Duration) plog.Logs {
	kinds := logKinds()
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	lines := make([]logLine, 0, n)
	for len(lines) < n {
		k := pickKind(r, kinds, total)
		q := &logReq{r: r, shop: sh, at: base.Add(time.Duration(r.Int64N(int64(window)))),
			user: pick(r, sh.users), session: pick(r, sh.sessions), requestID: uuid(r),
			orderID: uuid(r), product: pick(r, sh.products)}
		var trace [16]byte
		traced := chance(r, logTraced)
		if traced {
			randBytes(r, trace[:])
		}
		podIdx := r.IntN(len(sh.pods[k.svc]))
		// A request writes one to four lines of its service; the proxy one.
		per := 1
		if k.svc != svcProxy {
			per = 1 + r.IntN(4)
		}
		for range min(per, n-len(lines)) {
			sev, body, attrs := k.write(q)
			l := logLine{svc: k.svc, pod: podIdx, at: q.at, sev: sev, body: body}
			l.attrs = append(commonLogAttrs(q, k.svc), attrs...)
			if traced {
				l.trace = trace
				randBytes(r, l.span[:])
			}
			lines = append(lines, l)
			q.at = q.at.Add(logNormal(r, 2*time.Millisecond, 1))
		}
	}
	return assembleLogs(sh, lines)
}

func pickKind(r *rand.Rand, kinds []logKind, total int) logKind {
	x := r.IntN(total)
	for _, k := range kinds {
		if x < k.weight {
			return k
		}
		x -= k.weight
	}
	return kinds[len(kinds)-1]
}

// commonLogAttrs are what a service's logging bridge adds to every record:
// code location, thread or logger, and the request's IDs.
func commonLogAttrs(q *logReq, svc int) []kv {
	sv := q.shop.services[svc]
	a := make([]kv, 0, 12)
	if svc != svcProxy {
		a = append(a, kv{"code.filepath", sv.codeFile}, kv{"code.function", sv.codeFunc},
			kv{"code.lineno", 20 + q.r.IntN(400)})
	}
	switch sv.lang {
	case "java", "dotnet":
		a = append(a, kv{"thread.id", int64(20 + q.r.IntN(60))}, kv{"thread.name", fmt.Sprintf("grpc-default-executor-%d", q.r.IntN(8))})
	case "go":
		a = append(a, kv{"log.logger", sv.name})
	default:
		a = append(a, kv{"log.logger", sv.scope})
	}
	return append(a, kv{"app.user.id", q.user}, kv{"app.request.id", q.requestID})
}

func assembleLogs(sh *shop, lines []logLine) plog.Logs {
	ld := plog.NewLogs()
	groups := map[[2]int]plog.LogRecordSlice{}
	for i := range lines {
		l := &lines[i]
		key := [2]int{l.svc, l.pod}
		recs, ok := groups[key]
		if !ok {
			rl := ld.ResourceLogs().AppendEmpty()
			rl.SetSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
			sh.fillResource(rl.Resource(), l.svc, l.pod)
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName(sh.services[l.svc].scope)
			sl.Scope().SetVersion(sh.services[l.svc].scVer)
			recs = sl.LogRecords()
			groups[key] = recs
		}
		rec := recs.AppendEmpty()
		rec.SetTimestamp(pcommon.NewTimestampFromTime(l.at))
		rec.SetObservedTimestamp(pcommon.NewTimestampFromTime(l.at.Add(time.Duration(200+i%800) * time.Microsecond)))
		rec.SetSeverityNumber(l.sev)
		rec.SetSeverityText(severityText(l.sev))
		rec.Body().SetStr(l.body)
		putAttrs(rec.Attributes(), l.attrs)
		if l.trace != ([16]byte{}) {
			rec.SetTraceID(pcommon.TraceID(l.trace))
			rec.SetSpanID(pcommon.SpanID(l.span))
			rec.SetFlags(plog.DefaultLogRecordFlags.WithIsSampled(true))
		}
	}
	return ld
}

func severityText(s plog.SeverityNumber) string {
	switch {
	case s >= plog.SeverityNumberFatal:
		return "FATAL"
	case s >= plog.SeverityNumberError:
		return "ERROR"
	case s >= plog.SeverityNumberWarn:
		return "WARN"
	case s >= plog.SeverityNumberInfo:
		return "INFO"
	default:
		return "DEBUG"
	}
}

const (
	debug = plog.SeverityNumberDebug
	info  = plog.SeverityNumberInfo
	warn  = plog.SeverityNumberWarn
	errS  = plog.SeverityNumberError
)

// logKinds lists the messages of the shop with their relative frequency.
func logKinds() []logKind {
	return []logKind{
		{svcProxy, 30, accessLog},
		{svcFrontend, 10, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			ms := float64(logNormal(q.r, 15*time.Millisecond, 0.8).Microseconds()) / 1000
			size := 200 + q.r.IntN(3000)
			if chance(q.r, 0.03) {
				return errS, fmt.Sprintf("Error: 14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED %s:%d (%s)",
						q.shop.pods[svcCart][q.r.IntN(3)].ip, 7070, q.at.UTC().Format(time.RFC3339Nano)),
					[]kv{{"http.method", "POST"}, {"http.route", "/api/cart"}, {"rpc.grpc.status_code", 14}}
			}
			return info, fmt.Sprintf("GET /api/products/%s 200 %.3f ms - %d", q.product, ms, size),
				[]kv{{"http.method", "GET"}, {"http.route", "/api/products/[productId]"}, {"http.status_code", 200}, {"http.response_content_length", size}}
		}},
		{svcCheckout, 8, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			switch x := q.r.IntN(10); {
			case x < 3:
				cur := pick(q.r, q.shop.currency)
				return info, fmt.Sprintf("[PlaceOrder] user_id=%q user_currency=%q", q.user, cur),
					[]kv{{"app.user.currency", cur}, {"app.order.id", q.orderID}}
			case x < 5:
				tx := uuid(q.r)
				return info, fmt.Sprintf("payment went through (transaction_id: %s)", tx),
					[]kv{{"app.payment.transaction.id", tx}, {"app.order.id", q.orderID}}
			case x < 7:
				to := fmt.Sprintf("user%d@example.com", q.r.IntN(100000))
				return info, fmt.Sprintf("order confirmation email sent to %q", to),
					[]kv{{"app.email.recipient", to}, {"app.order.id", q.orderID}}
			case x < 9:
				return debug, fmt.Sprintf("sending to postProcessor: order %s, %d items, %d bytes", q.orderID, 1+q.r.IntN(4), 150+q.r.IntN(300)),
					[]kv{{"messaging.destination.name", "orders"}, {"app.order.id", q.orderID}}
			default:
				return errS, "failed to charge card: could not charge the card: rpc error: code = Unknown desc = Payment request failed. Invalid token. app.loyalty.level=gold",
					[]kv{{"rpc.grpc.status_code", 2}, {"app.order.id", q.orderID}, {"error.type", "payment"}}
			}
		}},
		{svcPayment, 6, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			card := pick(q.r, []string{"visa", "mastercard", "amex"})
			amt := money(q.r)
			switch x := q.r.IntN(10); {
			case x < 4:
				return info, "Charge request received.", []kv{{"app.payment.amount", amt}, {"app.payment.currency", pick(q.r, q.shop.currency)}, {"app.payment.card_type", card}}
			case x < 8:
				tx := uuid(q.r)
				return info, "Transaction complete.", []kv{{"app.payment.transaction.id", tx}, {"app.payment.card_type", card},
					{"app.payment.amount", amt}, {"app.loyalty.level", pick(q.r, []string{"gold", "silver", "platinum"})}}
			default:
				return warn, fmt.Sprintf("Payment request failed. Invalid token. card ending %04d", q.r.IntN(10000)),
					[]kv{{"app.payment.card_type", card}, {"app.payment.amount", amt}, {"app.payment.charged", false}}
			}
		}},
		{svcCart, 10, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			switch x := q.r.IntN(20); {
			case x < 8:
				return info, fmt.Sprintf("GetCartAsync called with userId=%s", q.user), []kv{{"app.cart.items.count", q.r.IntN(6)}}
			case x < 14:
				qty := 1 + q.r.IntN(4)
				return info, fmt.Sprintf("AddItemAsync called with userId=%s, productId=%s, quantity=%d", q.user, q.product, qty),
					[]kv{{"app.product.id", q.product}, {"app.product.quantity", qty}}
			case x < 18:
				return debug, fmt.Sprintf("Fetch cart cart:%s from valkey in %d µs", q.user, 80+q.r.IntN(2000)),
					[]kv{{"db.system", "redis"}, {"db.operation", "HGET"}}
			default:
				return warn, "Can't access cart storage. StackExchange.Redis.RedisTimeoutException: Timeout awaiting response (outbound=0KiB, inbound=0KiB, 5000ms elapsed, timeout is 5000ms)",
					[]kv{{"db.system", "redis"}, {"exception.type", "StackExchange.Redis.RedisTimeoutException"}}
			}
		}},
		{svcCurrency, 8, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			to := pick(q.r, q.shop.currency)
			amt := money(q.r)
			if chance(q.r, 0.3) {
				return debug, "Currency conversion request received", []kv{{"app.currency.conversion.to", to}}
			}
			return info, fmt.Sprintf("Convert conversion successful: %.2f USD -> %.2f %s", amt, amt*(0.5+q.r.Float64()), to),
				[]kv{{"app.currency.conversion.from", "USD"}, {"app.currency.conversion.to", to}, {"app.currency.amount", amt}}
		}},
		{svcCatalog, 8, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			if chance(q.r, 0.05) {
				return warn, fmt.Sprintf("Product Not Found: %s", randString(q.r, 10, upperAlnum)), []kv{{"rpc.grpc.status_code", 5}}
			}
			if chance(q.r, 0.3) {
				return info, fmt.Sprintf("Loaded %d products", 10), []kv{{"app.products.count", 10}}
			}
			return info, fmt.Sprintf("Product Found - ID: %s, Name: product %s", q.product, q.product),
				[]kv{{"app.product.id", q.product}, {"app.product.name", "product " + q.product}}
		}},
		{svcShipping, 4, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			if chance(q.r, 0.5) {
				cost := money(q.r) / 10
				return info, fmt.Sprintf("Received quote: %.2f", cost), []kv{{"app.shipping.cost.total", cost}, {"app.shipping.zip_code", fmt.Sprintf("%05d", q.r.IntN(99999))}}
			}
			id := uuid(q.r)
			return info, fmt.Sprintf("Tracking ID Created: %s", id), []kv{{"app.shipping.tracking.id", id}}
		}},
		{svcQuote, 3, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			items := 1 + q.r.IntN(6)
			return info, fmt.Sprintf("Calculated quote for %d items: %.2f", items, money(q.r)/10),
				[]kv{{"app.quote.items.count", items}, {"http.route", "/getquote"}}
		}},
		{svcEmail, 2, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			to := fmt.Sprintf("user%d@example.com", q.r.IntN(100000))
			return info, "Order confirmation email sent to: " + to, []kv{{"app.email.recipient", to}, {"app.order.id", q.orderID}}
		}},
		{svcRecommendation, 5, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			ids := make([]string, 5)
			for i := range ids {
				ids[i] = "'" + pick(q.r, q.shop.products) + "'"
			}
			return info, "Receive ListRecommendations for product ids:[" + strings.Join(ids, ", ") + "]",
				[]kv{{"app.products_recommended.count", 5}, {"app.filtered_products.count", 9}}
		}},
		{svcAd, 5, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			if chance(q.r, 0.4) {
				return info, "Non-targeted ad request received, preparing random response.", []kv{{"app.ads.ad_request_type", "NOT_TARGETED"}}
			}
			cat := pick(q.r, []string{"accessories", "binoculars", "telescopes", "assembly", "travel"})
			return info, "Targeted ad request received for [" + cat + "]", []kv{{"app.ads.ad_request_type", "TARGETED"}, {"app.ads.category", cat}}
		}},
		{svcAccounting, 3, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			return info, fmt.Sprintf(`Order details: {"orderId":"%s","shippingTrackingId":"%s","shippingCost":{"currencyCode":"USD","units":%d,"nanos":%d},"items":[{"productId":"%s","quantity":%d}]}`,
					q.orderID, uuid(q.r), q.r.IntN(100), q.r.IntN(1e9), q.product, 1+q.r.IntN(4)),
				[]kv{{"app.order.id", q.orderID}, {"messaging.destination.name", "orders"}}
		}},
		{svcFraud, 2, func(q *logReq) (plog.SeverityNumber, string, []kv) {
			return info, fmt.Sprintf("Consumed record with orderId: %s, and updated total count to: %d", q.orderID, q.r.IntN(1e6)),
				[]kv{{"app.order.id", q.orderID}, {"messaging.kafka.message.offset", q.r.Int64N(1 << 24)}}
		}},
	}
}

// accessLog is an Envoy access log line (the demo's proxy format).
func accessLog(q *logReq) (plog.SeverityNumber, string, []kv) {
	method, path, code := "GET", "/api/products/"+q.product, 200
	switch x := q.r.IntN(20); {
	case x < 3:
		method, path = "POST", "/api/cart"
	case x < 4:
		method, path = "POST", "/api/checkout"
	case x < 6:
		path = "/images/products/" + q.product + ".jpg"
	}
	if chance(q.r, 0.02) {
		code = 503
	}
	dur := logNormal(q.r, 12*time.Millisecond, 0.9).Milliseconds()
	sent := 150 + q.r.IntN(30000)
	peer := fmt.Sprintf("172.18.%d.%d", q.r.IntN(8), q.r.IntN(250))
	upstream := q.shop.pods[svcFrontend][q.r.IntN(3)].ip + ":8080"
	body := fmt.Sprintf(`[%s] "%s %s HTTP/1.1" %d - via_upstream - "-" %d %d %d %d "%s" "%s" "%s" "shop.example.com" "%s"`,
		q.at.UTC().Format("2006-01-02T15:04:05.000Z"), method, path, code, q.r.IntN(500), sent, dur, max(dur-1, 0),
		peer, pick(q.r, q.shop.agents), q.requestID, upstream)
	sev := info
	if code >= 500 {
		sev = errS
	}
	return sev, body, []kv{{"http.method", method}, {"url.path", path}, {"http.status_code", code},
		{"upstream.host", upstream}, {"client.address", peer}, {"http.response.body.size", sent},
		{"duration_ms", dur}, {"log.logger", "envoy.access"}}
}
