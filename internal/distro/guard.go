package distro

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/confmap"
)

// guardReceivers adds the `overlook` extension as a middleware to the HTTP
// and gRPC protocols of every OTLP receiver (`otlp`, `otlp/NAME`) that
// does not list it yet, so that the ingest guard (nesting depth, request
// size, status codes; docs/limits.md) covers receivers users define
// themselves too. Protocols a receiver does not enable are left alone.
type guardReceivers struct{}

func (guardReceivers) Convert(_ context.Context, conf *confmap.Conf) error {
	if !conf.IsSet("extensions::overlook") {
		return nil
	}
	receivers, _ := conf.Get("receivers").(map[string]any)
	patch := map[string]any{}
	for name, r := range receivers {
		if name != "otlp" && !strings.HasPrefix(name, "otlp/") {
			continue
		}
		rm, _ := r.(map[string]any)
		protocols, _ := rm["protocols"].(map[string]any)
		for _, proto := range []string{"grpc", "http"} {
			p, enabled := protocols[proto]
			if !enabled {
				continue
			}
			pm, _ := p.(map[string]any)
			var mws []any
			switch v := pm["middlewares"].(type) {
			case nil:
			case []any:
				mws = v
			default:
				return fmt.Errorf("receivers::%s::protocols::%s::middlewares must be a list of {id: NAME}, got %T", name, proto, v)
			}
			if slices.ContainsFunc(mws, isOverlookMiddleware) {
				continue
			}
			mws = append(slices.Clone(mws), map[string]any{"id": "overlook"})
			rp, _ := patch[name].(map[string]any)
			if rp == nil {
				rp = map[string]any{"protocols": map[string]any{}}
				patch[name] = rp
			}
			rp["protocols"].(map[string]any)[proto] = map[string]any{"middlewares": mws}
		}
	}
	if len(patch) == 0 {
		return nil
	}
	return conf.Merge(confmap.NewFromStringMap(map[string]any{"receivers": patch}))
}

func isOverlookMiddleware(m any) bool {
	mm, _ := m.(map[string]any)
	return mm["id"] == "overlook"
}
