package distro

import (
	"context"
	"fmt"
	"testing"
)

// TestGuardEveryOTLPReceiver: the overlook middleware (ingest guard) is on
// every OTLP receiver's enabled protocols, including ones users define,
// once and only once, after the user's own middlewares.
func TestGuardEveryOTLPReceiver(t *testing.T) {
	custom := writeFile(t, `extensions:
  auth: {}
receivers:
  otlp/extra:
    protocols:
      http:
        endpoint: 127.0.0.1:14318
  otlp/both:
    protocols:
      grpc:
      http:
        middlewares: [{id: auth}]
  otlp/already:
    protocols:
      grpc:
        middlewares: [{id: overlook}]
  prometheus/x:
    config: {}
`)
	conf, err := Resolve(context.Background(), Sources{Files: []string{custom}})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"receivers::otlp::protocols::grpc::middlewares":         "[map[id:overlook]]",
		"receivers::otlp::protocols::http::middlewares":         "[map[id:overlook]]",
		"receivers::otlp/extra::protocols::http::middlewares":   "[map[id:overlook]]",
		"receivers::otlp/both::protocols::grpc::middlewares":    "[map[id:overlook]]",
		"receivers::otlp/both::protocols::http::middlewares":    "[map[id:auth] map[id:overlook]]",
		"receivers::otlp/already::protocols::grpc::middlewares": "[map[id:overlook]]",
	} {
		if got := fmt.Sprint(conf.Get(key)); got != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
	for _, key := range []string{"receivers::otlp/extra::protocols::grpc", "receivers::otlp/already::protocols::http", "receivers::prometheus/x::middlewares"} {
		if conf.IsSet(key) {
			t.Errorf("%s was set (%v): a protocol the user did not enable must stay off", key, conf.Get(key))
		}
	}
}
