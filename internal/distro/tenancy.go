package distro

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/confmap"

	"github.com/overlook-dev/overlook/internal/processor/tenantprocessor"
)

// tenantPipelines, with extensions::overlook::multitenancy::enabled, puts
// the overlook_tenant processor first in every pipeline fed by a receiver
// (not only by connectors): it stamps each resource with the request's
// tenant, so that the tenant survives the span metrics and service graph
// connectors and batching, and the store exporter writes each resource to
// its tenant (docs/security.md, "Tenancy"). Pipelines fed only by
// connectors keep the attribute their source pipeline set.
type tenantPipelines struct{}

func (tenantPipelines) Convert(_ context.Context, conf *confmap.Conf) error {
	if !conf.IsSet("extensions::overlook") || !isTrue(conf.Get("extensions::overlook::multitenancy::enabled")) {
		return nil
	}
	name := tenantprocessor.Type.String()
	connectors, _ := conf.Get("connectors").(map[string]any)
	pipelines, _ := conf.Get("service::pipelines").(map[string]any)
	patch := map[string]any{}
	for id, p := range pipelines {
		pm, _ := p.(map[string]any)
		recvs, _ := pm["receivers"].([]any)
		fed := false
		for _, r := range recvs {
			if _, isConnector := connectors[fmt.Sprint(r)]; !isConnector {
				fed = true
			}
		}
		if !fed {
			continue
		}
		var procs []any
		switch v := pm["processors"].(type) {
		case nil:
		case []any:
			procs = v
		default:
			return fmt.Errorf("service::pipelines::%s::processors must be a list of processor names, got %T", id, v)
		}
		if slices.Contains(procs, any(name)) {
			continue
		}
		patch[id] = map[string]any{"processors": append([]any{name}, procs...)}
	}
	set := map[string]any{}
	if !conf.IsSet("processors::" + name) {
		set["processors"] = map[string]any{name: map[string]any{}}
	}
	if len(patch) > 0 {
		set["service"] = map[string]any{"pipelines": patch}
	}
	if len(set) == 0 {
		return nil
	}
	return conf.Merge(confmap.NewFromStringMap(set))
}

func isTrue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(strings.TrimSpace(b), "true")
	}
	return false
}
