package main

import (
	"time"
)

// Trace shapes (-shape). shapeShop is the shop's mix of flows (~9 spans
// per trace on average, checkouts ~35). shapeTen is the load issue 10's
// side-by-side table was measured with, as far as the issue describes it:
// every trace has exactly 10 spans, at about 439 OTLP bytes per span. The
// issue does not say how that load was produced, so this is a
// reconstruction with the shop's services and attributes: a product page
// whose every call is made (proxy and frontend, then the catalog, the
// currency conversion, the ads and the recommendations, each a gRPC client
// and server span).
const (
	shapeShop = "shop"
	shapeTen  = "ten"
)

// flowTen generates one product-page request of exactly 10 spans.
func (b *traceBuilder) flowTen(start time.Time) {
	id := pick(b.r, b.shop.products)
	fe := b.ingress(start, "GET", "/api/products/[productId]", "/api/products/"+id, 25*time.Millisecond)
	b.getProduct(fe, id, 0.05, 0.4)
	b.convert(fe, 0.42, 0.6)
	b.rpc(fe, svcAd, "AdService", "GetAds", 0.6, 0.8, kv{"app.ads.contextKeys", "[accessories]"},
		kv{"app.ads.contextKeys.count", 1}, kv{"app.ads.count", 1 + b.r.IntN(2)})
	b.rpc(fe, svcRecommendation, "RecommendationService", "ListRecommendations", 0.8, 0.97,
		kv{"app.products_recommended.count", 5}, kv{"app.filtered_products.count", 9})
}
