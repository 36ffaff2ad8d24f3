package distro

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/confmap"

	"github.com/overlook-dev/overlook/internal/budget"
)

// budgetDefaults fills the memory settings the user did not set from the
// process memory budget (internal/budget, docs/limits.md):
//   - every memory_limiter processor without limit_mib or
//     limit_percentage gets limit_mib and spike_limit_mib;
//   - extensions::overlook::storage::memory_limit (DuckDB),
//     max_pending_rows and parts::max_buffered_bytes;
//   - extensions::overlook::query::promql_max_points and
//     promql_max_samples (what one PromQL query may hold), and
//     promql_cache_bytes (the PromQL results cache);
//   - extensions::overlook::ingest::max_inflight_bytes (the push requests
//     being decoded at once).
//
// With no budget (nil), memory_limiters fall back to the collector's
// percentages of the machine's (or cgroup's) memory.
type budgetDefaults struct {
	b *budget.Budget
}

func (c budgetDefaults) Convert(_ context.Context, conf *confmap.Conf) error {
	set := map[string]any{}
	procs, _ := conf.Get("processors").(map[string]any)
	for name := range procs {
		if name != "memory_limiter" && !strings.HasPrefix(name, "memory_limiter/") {
			continue
		}
		key := "processors::" + name + "::"
		if conf.IsSet(key+"limit_mib") || conf.IsSet(key+"limit_percentage") {
			continue
		}
		spikeSet := conf.IsSet(key+"spike_limit_mib") || conf.IsSet(key+"spike_limit_percentage")
		if c.b == nil {
			set[key+"limit_percentage"] = 80
			if !spikeSet {
				set[key+"spike_limit_percentage"] = 20
			}
			continue
		}
		set[key+"limit_mib"] = c.b.MemoryLimiter >> 20
		if !spikeSet {
			set[key+"spike_limit_mib"] = c.b.MemoryLimiterSpike >> 20
		}
	}
	if c.b != nil && conf.IsSet("extensions::overlook") {
		const st = "extensions::overlook::storage::"
		// Unset, "" and 0 all mean "the default", which the budget sets.
		if v := conf.Get(st + "memory_limit"); v == nil || v == "" {
			set[st+"memory_limit"] = fmt.Sprintf("%dMiB", c.b.DuckDB>>20)
		}
		if v := conf.Get(st + "max_pending_rows"); v == nil || fmt.Sprint(v) == "0" {
			set[st+"max_pending_rows"] = c.b.PendingRows
		}
		if v := conf.Get(st + "parts::max_buffered_bytes"); v == nil || v == "" {
			set[st+"parts::max_buffered_bytes"] = fmt.Sprintf("%dMiB", c.b.PartsBytes>>20)
		}
		if v := conf.Get("extensions::overlook::ingest::max_inflight_bytes"); v == nil || v == "" {
			set["extensions::overlook::ingest::max_inflight_bytes"] = fmt.Sprintf("%dMiB", c.b.InflightBytes>>20)
		}
		const q = "extensions::overlook::query::"
		if v := conf.Get(q + "promql_max_points"); v == nil || fmt.Sprint(v) == "0" {
			set[q+"promql_max_points"] = c.b.PromQLMaxPoints
		}
		if v := conf.Get(q + "promql_max_samples"); v == nil || fmt.Sprint(v) == "0" {
			set[q+"promql_max_samples"] = c.b.PromQLMaxSamples
		}
		if v := conf.Get(q + "promql_cache_bytes"); v == nil || v == "" {
			set[q+"promql_cache_bytes"] = fmt.Sprintf("%dMiB", c.b.PromQLCacheBytes>>20)
		}
	}
	if len(set) == 0 {
		return nil
	}
	return conf.Merge(confmap.NewFromStringMap(set))
}
