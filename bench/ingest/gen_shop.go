package main

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// The simulated system is a shop modelled on the OpenTelemetry demo: its
// services, their pods and SDKs, and the pools of users, products and
// currencies both generators draw from.

// Service indexes into shop.services.
const (
	svcProxy = iota
	svcFrontend
	svcCheckout
	svcPayment
	svcCart
	svcCurrency
	svcCatalog
	svcShipping
	svcQuote
	svcEmail
	svcRecommendation
	svcAd
	svcAccounting
	svcFraud
	numServices
)

// service is one deployment of the shop.
type service struct {
	name, version string
	lang, sdkVer  string
	scope, scVer  string // instrumentation scope of its spans and logs
	port          int
	codeFile      string // source file its log records point at
	codeFunc      string
}

// pod is one replica of a service.
type pod struct {
	name, node, instanceID, ip string
}

// shop holds everything generated data is drawn from. It is built once per
// generator from a seeded rand and is read-only afterwards.
type shop struct {
	services []service
	pods     [numServices][]pod
	users    []string
	sessions []string
	products []string
	currency []string
	agents   []string
}

func newShop(r *rand.Rand) *shop {
	s := &shop{
		services: []service{
			svcProxy:          {"frontend-proxy", "1.12.0", "cpp", "1.31.0", "envoy", "1.31.2", 8080, "source/common/router/router.cc", "Router::onUpstreamComplete"},
			svcFrontend:       {"frontend", "1.12.0", "nodejs", "1.30.1", "@opentelemetry/instrumentation-http", "0.57.2", 8080, "/app/pages/api/products/[productId]/index.ts", "handler"},
			svcCheckout:       {"checkout", "1.12.0", "go", "1.35.0", "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc", "0.60.0", 5050, "/usr/src/app/main.go", "main.(*checkout).PlaceOrder"},
			svcPayment:        {"payment", "1.12.0", "nodejs", "1.30.1", "@opentelemetry/instrumentation-grpc", "0.57.2", 50051, "/usr/src/app/charge.js", "charge"},
			svcCart:           {"cart", "1.12.0", "dotnet", "1.11.2", "OpenTelemetry.Instrumentation.AspNetCore", "1.11.1", 7070, "/app/src/services/CartService.cs", "cart.services.CartService.AddItem"},
			svcCurrency:       {"currency", "1.12.0", "cpp", "1.19.0", "currency", "1.19.0", 7001, "/currency/src/server.cpp", "Convert"},
			svcCatalog:        {"product-catalog", "1.12.0", "go", "1.35.0", "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc", "0.60.0", 3550, "/usr/src/app/main.go", "main.(*productCatalog).GetProduct"},
			svcShipping:       {"shipping", "1.12.0", "rust", "0.28.0", "opentelemetry-instrumentation-actix-web", "0.19.0", 50050, "src/shipping_service.rs", "shipping::get_quote"},
			svcQuote:          {"quote", "1.12.0", "php", "1.2.1", "io.opentelemetry.contrib.php.slim", "1.0.5", 8090, "/var/www/src/routes.php", "calculateQuote"},
			svcEmail:          {"email", "1.12.0", "ruby", "1.4.0", "OpenTelemetry::Instrumentation::Sinatra", "0.24.0", 6060, "/email_server/email_server.rb", "send_email"},
			svcRecommendation: {"recommendation", "1.12.0", "python", "1.30.0", "opentelemetry.instrumentation.grpc", "0.51b0", 9001, "/app/recommendation_server.py", "ListRecommendations"},
			svcAd:             {"ad", "1.12.0", "java", "1.46.0", "io.opentelemetry.grpc-1.6", "2.12.0-alpha", 9555, "oteldemo/AdService.java", "oteldemo.AdService$AdServiceImpl.getAds"},
			svcAccounting:     {"accounting", "1.12.0", "dotnet", "1.11.2", "Confluent.Kafka.Extensions.OpenTelemetry", "0.4.0", 0, "/app/Consumer.cs", "Accounting.Consumer.ProcessMessage"},
			svcFraud:          {"fraud-detection", "1.12.0", "java", "1.46.0", "io.opentelemetry.kafka-clients-0.11", "2.12.0-alpha", 0, "frauddetection/main.kt", "frauddetection.MainKt.main"},
		},
		products: []string{"OLJCESPC7Z", "66VCHSJNUP", "1YMWWN1N4O", "L9ECAV7KIM", "2ZYFJ3GM2N",
			"0PUK6V6EV0", "LS4PSXUNUM", "9SIQT8TOJO", "6E92ZMYYFZ", "HQTGWGPNH4"},
		currency: []string{"USD", "EUR", "CAD", "JPY", "GBP", "TRY", "CHF", "AUD"},
		agents: []string{
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
			"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
			"python-requests/2.32.3",
		},
	}
	nodes := []string{"ip-10-0-12-34.ec2.internal", "ip-10-0-27-181.ec2.internal", "ip-10-0-41-9.ec2.internal"}
	for i, sv := range s.services {
		rs := randString(r, 10, lowerAlnum)
		for p := range 3 {
			s.pods[i] = append(s.pods[i], pod{
				name:       fmt.Sprintf("%s-%s-%s", sv.name, rs, randString(r, 5, lowerAlnum)),
				node:       nodes[(i+p)%len(nodes)],
				instanceID: uuid(r),
				ip:         fmt.Sprintf("10.42.%d.%d", r.IntN(4), 2+r.IntN(250)),
			})
		}
	}
	for range 5000 {
		s.users = append(s.users, uuid(r))
	}
	for range 2000 {
		s.sessions = append(s.sessions, uuid(r))
	}
	return s
}

// fillResource sets the resource attributes of one pod of a service, as
// the k8s attributes processor and the SDKs do: 12 attributes.
func (s *shop) fillResource(res pcommon.Resource, svc, podIdx int) {
	sv, p := s.services[svc], s.pods[svc][podIdx]
	a := res.Attributes()
	a.EnsureCapacity(12)
	a.PutStr("service.name", sv.name)
	a.PutStr("service.version", sv.version)
	a.PutStr("service.namespace", "opentelemetry-demo")
	a.PutStr("service.instance.id", p.instanceID)
	a.PutStr("deployment.environment.name", "production")
	a.PutStr("k8s.namespace.name", "otel-demo")
	a.PutStr("k8s.pod.name", p.name)
	a.PutStr("k8s.node.name", p.node)
	a.PutStr("host.name", p.node)
	a.PutStr("telemetry.sdk.name", "opentelemetry")
	a.PutStr("telemetry.sdk.language", sv.lang)
	a.PutStr("telemetry.sdk.version", sv.sdkVer)
}

// kv is one attribute: the value is a string, int, int64, float64 or bool.
type kv struct {
	k string
	v any
}

// putAttrs appends kvs to m.
func putAttrs(m pcommon.Map, kvs []kv) {
	m.EnsureCapacity(m.Len() + len(kvs))
	for _, a := range kvs {
		switch v := a.v.(type) {
		case string:
			m.PutStr(a.k, v)
		case int:
			m.PutInt(a.k, int64(v))
		case int64:
			m.PutInt(a.k, v)
		case float64:
			m.PutDouble(a.k, v)
		case bool:
			m.PutBool(a.k, v)
		default:
			m.PutStr(a.k, fmt.Sprint(v))
		}
	}
}

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

func randString(r *rand.Rand, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func randBytes(r *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

func uuid(r *rand.Rand) string {
	var b [16]byte
	randBytes(r, b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// logNormal returns a duration whose logarithm is normal, with the given
// median and shape (sigma ≈ 0.5: tight, ≈ 1: a long tail).
func logNormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*r.NormFloat64()))
}

// money returns an amount like 123.45.
func money(r *rand.Rand) float64 {
	return float64(r.IntN(50000)+99) / 100
}
