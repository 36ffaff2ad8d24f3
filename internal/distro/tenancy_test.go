package distro

import (
	"context"
	"fmt"
	"testing"
)

// TestTenantPipelines: with multitenancy on, overlook_tenant is first in
// every pipeline fed by a receiver and in none fed only by connectors;
// with it off, no pipeline changes.
func TestTenantPipelines(t *testing.T) {
	on := writeFile(t, "extensions:\n  overlook:\n    multitenancy:\n      enabled: true\n")
	conf, err := Resolve(context.Background(), Sources{Files: []string{on}})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"service::pipelines::traces::processors":              "[overlook_tenant memory_limiter]",
		"service::pipelines::logs::processors":                "[overlook_tenant memory_limiter]",
		"service::pipelines::metrics::processors":             "[overlook_tenant memory_limiter]",
		"service::pipelines::metrics/spanmetrics::processors": "[transform/spanmetrics]",
		"service::pipelines::logs/default::processors":        "<nil>",
		"processors::overlook_tenant":                         "map[]",
	} {
		if got := fmt.Sprint(conf.Get(key)); got != want {
			t.Errorf("on: %s = %s, want %s", key, got, want)
		}
	}
	conf, err = Resolve(context.Background(), Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(conf.Get("service::pipelines::traces::processors")); got != "[memory_limiter]" || conf.IsSet("processors::overlook_tenant") {
		t.Errorf("off: traces processors %s", got)
	}
}
