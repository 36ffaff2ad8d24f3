package demo

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// The simulated system: a shop modelled on the OpenTelemetry demo, on a
// three-node Kubernetes cluster, with a browser front end (RUM).

// Service indexes into shop.services.
const (
	svcWeb = iota // the browser: RUM spans, no Kubernetes attributes
	svcProxy
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
	name, lang, sdkVer string
	scope              string // instrumentation scope of its spans and logs
	port               int
	replicas           int
	cpu                float64 // cores used at rest
	memMiB             float64 // memory at rest
}

var services = [numServices]service{
	svcWeb:            {"frontend-web", "webjs", "1.30.1", "@opentelemetry/instrumentation-fetch", 0, 0, 0, 0},
	svcProxy:          {"frontend-proxy", "cpp", "1.31.0", "envoy", 8080, 1, 0.05, 60},
	svcFrontend:       {"frontend", "nodejs", "1.30.1", "@opentelemetry/instrumentation-http", 8080, 2, 0.12, 180},
	svcCheckout:       {"checkout", "go", "1.35.0", "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc", 5050, 1, 0.04, 24},
	svcPayment:        {"payment", "nodejs", "1.30.1", "@opentelemetry/instrumentation-grpc", 50051, 1, 0.03, 70},
	svcCart:           {"cart", "dotnet", "1.11.2", "OpenTelemetry.Instrumentation.AspNetCore", 7070, 1, 0.05, 90},
	svcCurrency:       {"currency", "cpp", "1.19.0", "currency", 7001, 1, 0.02, 12},
	svcCatalog:        {"product-catalog", "go", "1.35.0", "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc", 3550, 1, 0.03, 20},
	svcShipping:       {"shipping", "rust", "0.28.0", "opentelemetry-instrumentation-actix-web", 50050, 1, 0.01, 10},
	svcQuote:          {"quote", "php", "1.2.1", "io.opentelemetry.contrib.php.slim", 8090, 1, 0.01, 40},
	svcEmail:          {"email", "ruby", "1.4.0", "OpenTelemetry::Instrumentation::Sinatra", 6060, 1, 0.01, 80},
	svcRecommendation: {"recommendation", "python", "1.30.0", "opentelemetry.instrumentation.grpc", 9001, 1, 0.04, 60},
	svcAd:             {"ad", "java", "1.46.0", "io.opentelemetry.grpc-1.6", 9555, 1, 0.06, 240},
	svcAccounting:     {"accounting", "dotnet", "1.11.2", "Confluent.Kafka.Extensions.OpenTelemetry", 0, 1, 0.02, 85},
	svcFraud:          {"fraud-detection", "java", "1.46.0", "io.opentelemetry.kafka-clients-0.11", 0, 1, 0.03, 260},
}

const (
	namespace   = "otel-demo"
	version     = "2.0.2"
	nodeCores   = 4
	nodeMemMiB  = 16384
	maxCacheLen = 100_000
)

var nodes = []string{"ip-10-0-12-34.ec2.internal", "ip-10-0-27-181.ec2.internal", "ip-10-0-41-9.ec2.internal"}

// pod is one replica of a service.
type pod struct {
	name, uid, node, ip, container string
}

// shop holds what generated data is drawn from. It is built from the seed
// and is read-only afterwards; the payment pod alone changes with each
// restart (paymentPod).
type shop struct {
	seed     uint64
	pods     [numServices][]pod
	rsHash   [numServices]string // the ReplicaSet hash in pod names
	users    []user
	products []string
	currency []string
	agents   []string
}

type user struct{ id, email, session string }

func newShop(seed uint64) *shop {
	r := rand.New(rand.NewPCG(seed, 0x5109))
	s := &shop{
		seed: seed,
		products: []string{"OLJCESPC7Z", "66VCHSJNUP", "1YMWWN1N4O", "L9ECAV7KIM", "2ZYFJ3GM2N",
			"0PUK6V6EV0", "LS4PSXUNUM", "9SIQT8TOJO", "6E92ZMYYFZ", "HQTGWGPNH4"},
		currency: []string{"USD", "EUR", "CAD", "JPY", "GBP", "CHF"},
		agents: []string{
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
			"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		},
	}
	for i := svcProxy; i < numServices; i++ {
		s.rsHash[i] = randString(r, 10, lowerAlnum)
		for p := range services[i].replicas {
			s.pods[i] = append(s.pods[i], newPod(r, i, s.rsHash[i], (i+p)%len(nodes)))
		}
	}
	first := []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yuki"}
	last := []string{"smith", "jones", "kim", "garcia", "mueller", "rossi", "tanaka", "dubois", "silva", "novak"}
	for i := range 400 {
		s.users = append(s.users, user{
			id:      uuid(r),
			email:   fmt.Sprintf("%s.%s%d@example.com", first[i%len(first)], last[(i/len(first))%len(last)], i/(len(first)*len(last))),
			session: uuid(r),
		})
	}
	return s
}

func newPod(r *rand.Rand, svc int, rs string, node int) pod {
	return pod{
		name:      fmt.Sprintf("%s-%s-%s", services[svc].name, rs, randString(r, 5, lowerAlnum)),
		uid:       uuid(r),
		node:      nodes[node],
		ip:        fmt.Sprintf("10.42.%d.%d", node, 2+r.IntN(250)),
		container: services[svc].name,
	}
}

// pod returns replica i of svc; the payment pod is the one of the
// incident cycle (a new pod after each restart).
func (s *shop) pod(svc, i, cycle int) pod {
	if svc == svcPayment {
		return s.paymentPod(cycle)
	}
	return s.pods[svc][i]
}

// paymentPod is the payment pod of an incident cycle: the Deployment
// replaces the pod at each restart, so its name and uid change.
func (s *shop) paymentPod(cycle int) pod {
	r := rand.New(rand.NewPCG(s.seed, 0xba1+uint64(cycle)))
	return newPod(r, svcPayment, s.rsHash[svcPayment], svcPayment%len(nodes))
}

// fillResource sets the resource attributes of a pod of svc as the SDKs
// and the k8sattributes processor do; the browser gets browser ones.
func fillResource(res pcommon.Resource, svc int, p pod) {
	sv := services[svc]
	a := res.Attributes()
	a.PutStr("service.name", sv.name)
	a.PutStr("service.version", version)
	a.PutStr("service.namespace", "opentelemetry-demo")
	a.PutStr("deployment.environment.name", "production")
	a.PutStr("telemetry.sdk.name", "opentelemetry")
	a.PutStr("telemetry.sdk.language", sv.lang)
	a.PutStr("telemetry.sdk.version", sv.sdkVer)
	if svc == svcWeb {
		a.PutStr("browser.platform", "web")
		return
	}
	a.PutStr("service.instance.id", p.uid)
	fillPodResource(a, svc, p)
}

// fillPodResource sets the Kubernetes attributes of a pod.
func fillPodResource(a pcommon.Map, svc int, p pod) {
	a.PutStr("k8s.namespace.name", namespace)
	a.PutStr("k8s.deployment.name", services[svc].name)
	a.PutStr("k8s.pod.name", p.name)
	a.PutStr("k8s.pod.uid", p.uid)
	a.PutStr("k8s.node.name", p.node)
	a.PutStr("host.name", p.node)
	a.PutStr("k8s.container.name", p.container)
}

// kv is one attribute: the value is a string, int, int64, float64 or bool.
type kv struct {
	k string
	v any
}

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

const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

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

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// logNormal returns a duration whose logarithm is normal around median.
func logNormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*r.NormFloat64()))
}

func money(r *rand.Rand) float64 { return float64(r.IntN(50000)+99) / 100 }
