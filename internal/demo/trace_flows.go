package demo

import (
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The user requests of the shop, each starting in the browser: product
// pages, product lists, cart updates and views, checkouts (the trace that
// crosses the most services, and the one the incident breaks), plus the
// kubelet's health probes.

const (
	sevInfo  = plog.SeverityNumberInfo
	sevWarn  = plog.SeverityNumberWarn
	sevError = plog.SeverityNumberError
)

// gRPC status codes set on failed calls.
const (
	grpcUnknown  = 2
	grpcNotFound = 5
	grpcInternal = 13
)

// productNotFound is the share of product lookups that fail outside the
// incident (an unknown product id in a link).
const productNotFound = 0.003

// flow generates one request arriving at start.
func (b *builder) flow(start time.Time) {
	switch x := b.r.IntN(100); {
	case x < 40:
		b.productPage(start)
	case x < 60:
		b.browse(start)
	case x < 75:
		b.addToCart(start)
	case x < 85:
		b.viewCart(start)
	case x < 95:
		b.checkout(start)
	default:
		b.health(start)
	}
}

// ingress is the browser's fetch (a RUM client span carrying userEmail),
// the proxy's ingress and egress, and the frontend's server span, whose
// work fn lays out. It returns the four spans.
func (b *builder) ingress(start time.Time, method, route, target string, fn body) [4]int {
	url := "https://shop.example.com" + target
	web := b.open(-1, svcWeb, "HTTP "+method, ptrace.SpanKindClient, start,
		kv{"http.request.method", method}, kv{"url.full", url}, kv{"http.response.status_code", 200},
		kv{"userEmail", b.user.email}, kv{"session.id", b.user.session},
		kv{"user_agent.original", b.agent}, kv{"component", "fetch"})
	t := start.Add(b.work(15 * time.Millisecond))
	px := b.open(web, svcProxy, "ingress", ptrace.SpanKindServer, t,
		kv{"http.request.method", method}, kv{"url.full", url}, kv{"http.response.status_code", 200},
		kv{"user_agent.original", b.agent}, kv{"upstream_cluster", "frontend"}, kv{"component", "proxy"})
	pc := b.open(px, svcProxy, "router frontend egress", ptrace.SpanKindClient, t.Add(100*time.Microsecond),
		kv{"http.request.method", method}, kv{"url.full", "http://frontend:8080" + target},
		kv{"http.response.status_code", 200}, kv{"upstream_cluster", "frontend"}, kv{"component", "proxy"})
	fe := b.open(pc, svcFrontend, method+" "+route, ptrace.SpanKindServer, t.Add(100*time.Microsecond+b.net()),
		kv{"http.request.method", method}, kv{"http.route", route}, kv{"url.path", target},
		kv{"http.response.status_code", 200}, kv{"app.session.id", b.user.session}, kv{"app.user.id", b.user.id})
	e := fn(fe, b.tr.spans[fe].start.Add(b.work(300*time.Microsecond)))
	e = b.close(fe, e.Add(b.work(time.Millisecond)))
	e = b.close(pc, e.Add(b.net()))
	e = b.close(px, e.Add(100*time.Microsecond))
	b.close(web, e.Add(b.work(15*time.Millisecond)))
	return [4]int{web, px, pc, fe}
}

// failIngress sets the HTTP status of a request's four ingress spans, and
// for a 5xx the Error status up to the browser, with msg on the frontend.
func (b *builder) failIngress(sp [4]int, code int, msg string) {
	for _, i := range sp {
		b.setAttr(i, "http.response.status_code", code)
	}
	if code < 500 {
		b.fail(sp[0], "") // a 4xx is an error for clients only
		b.fail(sp[2], "")
		return
	}
	b.fail(sp[3], msg)
	for _, i := range sp[:3] {
		b.fail(i, "")
	}
}

func (b *builder) productPage(start time.Time) {
	id := pick(b.r, b.sh.products)
	missing := false
	sp := b.ingress(start, "GET", "/api/products/[productId]", "/api/products/"+id, func(fe int, t time.Time) time.Time {
		var ok bool
		if t, ok = b.getProduct(fe, id, t, true); !ok {
			missing = true
			b.log(fe, t, sevError, "Failed to get product info: Product Not Found: "+id, kv{"app.product.id", id})
			return t
		}
		t = b.convert(fe, t)
		if chance(b.r, 0.5) {
			t = b.ads(fe, t)
		}
		if chance(b.r, 0.5) {
			t = b.recommend(fe, id, t)
		}
		return t
	})
	if missing {
		b.failIngress(sp, 404, "")
	}
}

func (b *builder) browse(start time.Time) {
	cur := pick(b.r, b.sh.currency)
	b.ingress(start, "GET", "/api/products", "/api/products?currencyCode="+cur, func(fe int, t time.Time) time.Time {
		_, t = b.rpc(fe, svcCatalog, "ProductCatalogService", "ListProducts", t, []kv{{"app.products.count", len(b.sh.products)}}, nil)
		for range 1 + b.r.IntN(3) {
			t = b.convert(fe, t)
		}
		return t
	})
}

func (b *builder) addToCart(start time.Time) {
	id, qty := pick(b.r, b.sh.products), 1+b.r.IntN(4)
	b.ingress(start, "POST", "/api/cart", "/api/cart", func(fe int, t time.Time) time.Time {
		_, t = b.rpc(fe, svcCart, "CartService", "AddItem", t, []kv{{"app.product.id", id}, {"app.product.quantity", qty}},
			func(srv int, t time.Time) time.Time {
				b.log(srv, t, sevInfo, fmt.Sprintf("AddItemAsync called with userId=%s, productId=%s, quantity=%d", b.user.id, id, qty))
				t = b.redis(srv, "HSET", t)
				return b.redis(srv, "EXPIRE", t)
			})
		return t
	})
}

func (b *builder) viewCart(start time.Time) {
	b.ingress(start, "GET", "/api/cart", "/api/cart?currencyCode=USD", func(fe int, t time.Time) time.Time {
		t = b.getCart(fe, t, b.r.IntN(5))
		return b.convert(fe, t)
	})
}

func (b *builder) health(start time.Time) {
	root := b.open(-1, svcFrontend, "GET /api/healthz", ptrace.SpanKindServer, start,
		kv{"http.request.method", "GET"}, kv{"http.route", "/api/healthz"}, kv{"url.path", "/api/healthz"},
		kv{"http.response.status_code", 200}, kv{"user_agent.original", "kube-probe/1.31"})
	b.close(root, start.Add(b.work(800*time.Microsecond)))
}

// getProduct looks a product up; it fails with NotFound for a small share
// of lookups when mayFail. It reports whether the product was found.
func (b *builder) getProduct(parent int, id string, t time.Time, mayFail bool) (time.Time, bool) {
	found := !mayFail || !chance(b.r, productNotFound)
	srv, end := b.rpc(parent, svcCatalog, "ProductCatalogService", "GetProduct", t,
		[]kv{{"app.product.id", id}}, func(srv int, t time.Time) time.Time {
			e := t.Add(b.work(time.Millisecond))
			if !found {
				b.log(srv, e, sevError, "Product Not Found: "+id, kv{"app.product.id", id})
			}
			return e
		})
	if !found {
		b.rpcFailed(srv, grpcNotFound, "Product Not Found: "+id)
		b.exception(srv, "NotFound", "Product Not Found: "+id)
	}
	return end, found
}

func (b *builder) convert(parent int, t time.Time) time.Time {
	_, t = b.rpc(parent, svcCurrency, "CurrencyService", "Convert", t,
		[]kv{{"app.currency.conversion.from", "USD"}, {"app.currency.conversion.to", pick(b.r, b.sh.currency)}}, nil)
	return t
}

func (b *builder) ads(parent int, t time.Time) time.Time {
	_, t = b.rpc(parent, svcAd, "AdService", "GetAds", t, []kv{{"app.ads.contextKeys", "[accessories]"}, {"app.ads.count", 1 + b.r.IntN(2)}},
		func(srv int, t time.Time) time.Time {
			b.log(srv, t, sevInfo, "Targeted ad request received for [accessories]")
			return t.Add(b.work(3 * time.Millisecond))
		})
	return t
}

func (b *builder) recommend(parent int, id string, t time.Time) time.Time {
	_, t = b.rpc(parent, svcRecommendation, "RecommendationService", "ListRecommendations", t,
		[]kv{{"app.products_recommended.count", 5}}, func(srv int, t time.Time) time.Time {
			_, t = b.rpc(srv, svcCatalog, "ProductCatalogService", "ListProducts", t, []kv{{"app.products.count", len(b.sh.products)}}, nil)
			b.log(srv, t, sevInfo, "Receive ListRecommendations for product ids:['"+id+"']")
			return t.Add(b.work(time.Millisecond))
		})
	return t
}

func (b *builder) getCart(parent int, t time.Time, items int) time.Time {
	_, t = b.rpc(parent, svcCart, "CartService", "GetCart", t, []kv{{"app.cart.items.count", items}},
		func(srv int, t time.Time) time.Time {
			b.log(srv, t, sevInfo, "GetCartAsync called with userId="+b.user.id)
			return b.redis(srv, "HGET", t)
		})
	return t
}

// redis is a Redis command of the cart service (Valkey is not
// instrumented: a client span alone).
func (b *builder) redis(parent int, cmd string, t time.Time) time.Time {
	c := b.open(parent, svcCart, cmd, ptrace.SpanKindClient, t,
		kv{"db.system", "redis"}, kv{"db.operation.name", cmd}, kv{"db.query.text", cmd + " " + b.user.id},
		kv{"server.address", "valkey-cart"}, kv{"server.port", 6379})
	return b.close(c, t.Add(b.work(400*time.Microsecond)))
}
