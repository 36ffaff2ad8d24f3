package demo

import (
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Card types of charges, and their shares.
var cardTypes = []struct {
	name  string
	share float64
}{{"visa", 0.4}, {"mastercard", 0.4}, {"amex", 0.2}}

func (b *builder) cardType() string {
	x := b.r.Float64()
	for _, c := range cardTypes {
		if x < c.share {
			return c.name
		}
		x -= c.share
	}
	return cardTypes[len(cardTypes)-1].name
}

// checkout is the demo's big trace: PlaceOrder fans out to cart, catalog,
// currency, shipping/quote, payment, email, and publishes the order to
// Kafka for accounting and fraud detection. While the visa cache is full,
// a visa charge fails and the error propagates up to the browser.
func (b *builder) checkout(start time.Time) {
	orderID := uuid(b.r)
	items := 1 + b.r.IntN(3)
	cur := pick(b.r, b.sh.currency)
	card := b.cardType()
	failed := false
	sp := b.ingress(start, "POST", "/api/checkout", "/api/checkout", func(fe int, t time.Time) time.Time {
		po, end := b.rpc(fe, svcCheckout, "CheckoutService", "PlaceOrder", t,
			[]kv{{"app.user.id", b.user.id}, {"app.user.currency", cur}},
			func(po int, t time.Time) time.Time {
				var ok bool
				t, ok = b.placeOrder(po, t, orderID, cur, card, items)
				failed = !ok
				return t
			})
		if failed {
			b.rpcFailed(po, grpcInternal, MsgChargeFail)
			b.log(fe, end, sevError, MsgOrderFailed)
			return end
		}
		b.attr(po, kv{"app.order.id", orderID})
		return end
	})
	if failed {
		b.failIngress(sp, 500, MsgOrderFailed)
	}
}

// placeOrder is the checkout service's work; it reports whether the
// payment went through.
func (b *builder) placeOrder(po int, t time.Time, orderID, cur, card string, items int) (time.Time, bool) {
	b.log(po, t, sevInfo, fmt.Sprintf("[PlaceOrder] user_id=%q user_currency=%q", b.user.id, cur))
	t = b.getCart(po, t, items)
	for range items {
		t, _ = b.getProduct(po, pick(b.r, b.sh.products), t, false)
		t = b.convert(po, t)
	}
	_, t = b.rpc(po, svcShipping, "ShippingService", "GetQuote", t, []kv{{"app.shipping.items.count", items}},
		func(srv int, t time.Time) time.Time {
			cost := money(b.r) / 10
			_, t = b.http(srv, svcQuote, "POST", "/getquote", t, []kv{{"app.quote.items.count", items}, {"app.quote.cost.total", cost}}, nil)
			b.log(srv, t, sevInfo, fmt.Sprintf("Received quote: %.2f USD", cost))
			return t.Add(b.work(200 * time.Microsecond))
		})
	t = b.convert(po, t)
	pay, t, ok := b.charge(po, t, card)
	if !ok {
		b.log(po, t, sevError, MsgChargeFail, kv{"app.payment.card_type", card})
		return t.Add(b.work(200 * time.Microsecond)), false
	}
	b.log(po, t, sevInfo, "payment went through (transaction_id: "+attrString(b.tr.spans[pay].attrs, "app.payment.transaction.id")+")")
	tracking := uuid(b.r)
	_, t = b.rpc(po, svcShipping, "ShippingService", "ShipOrder", t, []kv{{"app.shipping.tracking.id", tracking}},
		func(srv int, t time.Time) time.Time {
			b.log(srv, t, sevInfo, "Order shipped: tracking id "+tracking)
			return t.Add(b.work(time.Millisecond))
		})
	_, t = b.http(po, svcEmail, "POST", "/send_order_confirmation", t, []kv{{"app.order.id", orderID}},
		func(srv int, t time.Time) time.Time {
			e := t.Add(b.work(5 * time.Millisecond))
			b.log(srv, e, sevInfo, "Order confirmation email sent to: "+b.user.email)
			return e
		})
	_, t = b.rpc(po, svcCart, "CartService", "EmptyCart", t, nil, func(srv int, t time.Time) time.Time {
		b.log(srv, t, sevInfo, "EmptyCartAsync called with userId="+b.user.id)
		return b.redis(srv, "HDEL", t)
	})
	b.publish(po, t, orderID)
	return t.Add(b.work(300 * time.Microsecond)), true
}

// charge is the payment call. A visa card goes through the validation
// cache: slower the fuller it is, failing fast once it is full.
func (b *builder) charge(po int, t time.Time, card string) (srv int, end time.Time, ok bool) {
	amount := money(b.r)
	ok = card != "visa" || !b.st.full
	tx := uuid(b.r)
	srv, end = b.rpc(po, svcPayment, "PaymentService", "Charge", t,
		[]kv{{"app.payment.card_type", card}, {"app.payment.card_valid", true}, {"app.payment.amount", amount},
			{"app.loyalty.level", pick(b.r, []string{"gold", "silver", "platinum", "bronze"})}},
		func(srv int, t time.Time) time.Time {
			b.log(srv, t, sevInfo, "Charge request received.", kv{"app.payment.amount", amount})
			if !ok {
				e := t.Add(b.work(600 * time.Microsecond))
				b.log(srv, e, sevError, MsgCacheFull, kv{"app.payment.card_type", card}, kv{CacheMetric, b.st.cacheSize()})
				return e
			}
			d := b.work(12 * time.Millisecond)
			if card == "visa" {
				d += b.st.visaDelay()
			}
			e := t.Add(d)
			b.log(srv, e, sevInfo, "Transaction complete.", kv{"app.payment.card_type", card},
				kv{"app.payment.amount", amount}, kv{"app.payment.transaction.id", tx})
			return e
		})
	if !ok {
		b.attr(srv, kv{"app.payment.charged", false})
		b.exception(srv, "Error", MsgCacheFull)
		b.rpcFailed(srv, grpcUnknown, MsgCacheFull)
		return srv, end, false
	}
	b.attr(srv, kv{"app.payment.charged", true}, kv{"app.payment.transaction.id", tx})
	return srv, end, true
}

// publish sends the order to Kafka; accounting and fraud detection consume
// it after the checkout's own span has moved on.
func (b *builder) publish(po int, t time.Time, orderID string) {
	pub := b.open(po, svcCheckout, "orders publish", ptrace.SpanKindProducer, t,
		kv{"messaging.system", "kafka"}, kv{"messaging.destination.name", "orders"}, kv{"messaging.operation.type", "publish"},
		kv{"server.address", "kafka"}, kv{"server.port", 9092}, kv{"app.order.id", orderID})
	e := b.close(pub, t.Add(b.work(500*time.Microsecond)))
	for _, svc := range []int{svcAccounting, svcFraud} {
		cs := e.Add(b.work(3 * time.Millisecond))
		c := b.open(pub, svc, "orders process", ptrace.SpanKindConsumer, cs,
			kv{"messaging.system", "kafka"}, kv{"messaging.destination.name", "orders"}, kv{"messaging.operation.type", "process"},
			kv{"messaging.consumer.group.name", services[svc].name}, kv{"app.order.id", orderID})
		ce := cs.Add(b.work(2 * time.Millisecond))
		if svc == svcAccounting {
			db := b.open(c, svc, "INSERT otel.orders", ptrace.SpanKindClient, ce,
				kv{"db.system", "postgresql"}, kv{"db.namespace", "otel"}, kv{"db.operation.name", "INSERT"},
				kv{"db.collection.name", "orders"}, kv{"server.address", "postgresql"}, kv{"server.port", 5432})
			ce = b.close(db, ce.Add(b.work(2*time.Millisecond)))
			b.log(c, ce, sevInfo, "Order details: orderId="+orderID)
		} else {
			b.log(c, ce, sevInfo, fmt.Sprintf("Consumed record with orderId: %s, and updated total count to: %d", orderID, 1+b.r.IntN(100000)))
		}
		b.close(c, ce.Add(b.work(300*time.Microsecond)))
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
