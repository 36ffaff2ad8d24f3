package distro

import (
	"context"
	"reflect"
	"testing"

	"github.com/overlook-dev/overlook/internal/budget"
)

// TestBudgetDefaults checks that memory settings the user left unset
// follow the process budget, and that the user's settings win.
func TestBudgetDefaults(t *testing.T) {
	b := budget.Split(512<<20, "test", 0)
	user := writeFile(t, `processors:
  memory_limiter/pct:
    check_interval: 1s
    limit_percentage: 50
  memory_limiter/own:
    check_interval: 1s
    limit_mib: 300
    spike_limit_mib: 10
  memory_limiter/spike:
    check_interval: 1s
    spike_limit_percentage: 10
extensions:
  overlook:
    storage:
      max_pending_rows: 1234
      memory_limit: ""
    query:
      promql_max_samples: 777
`)
	conf, err := Resolve(context.Background(), Sources{Files: []string{user}, Budget: &b})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		// The default memory_limiter follows the budget.
		"processors::memory_limiter::limit_mib":       int64(256),
		"processors::memory_limiter::spike_limit_mib": int64(51),
		// The user's choices stay.
		"processors::memory_limiter/pct::limit_percentage":  50,
		"processors::memory_limiter/pct::limit_mib":         nil,
		"processors::memory_limiter/own::limit_mib":         300,
		"processors::memory_limiter/own::spike_limit_mib":   10,
		"processors::memory_limiter/spike::limit_mib":       int64(256),
		"processors::memory_limiter/spike::spike_limit_mib": nil,
		"extensions::overlook::storage::memory_limit":       "102MiB",
		"extensions::overlook::storage::max_pending_rows":   1234,
		// A PromQL query's points follow the budget; the user's samples stay.
		"extensions::overlook::query::promql_max_points":  b.PromQLMaxPoints,
		"extensions::overlook::query::promql_max_samples": 777,
		"extensions::overlook::query::promql_cache_bytes": "20MiB",
		// The push requests in flight: a tenth of the budget.
		"extensions::overlook::ingest::max_inflight_bytes": "51MiB",
	} {
		if got := conf.Get(k); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", k, got, want)
		}
	}

	// Without a budget the memory_limiter keeps the collector's percentages.
	conf, err = Resolve(context.Background(), Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if got := conf.Get("processors::memory_limiter::limit_percentage"); got != 80 {
		t.Errorf("without a budget: limit_percentage = %#v, want 80", got)
	}
	if conf.IsSet("extensions::overlook::ingest::max_inflight_bytes") {
		t.Errorf("without a budget max_inflight_bytes is set: %v", conf.Get("extensions::overlook::ingest::max_inflight_bytes"))
	}
	if conf.IsSet("extensions::overlook::storage::memory_limit") {
		t.Errorf("without a budget memory_limit is set: %v", conf.Get("extensions::overlook::storage::memory_limit"))
	}
}
