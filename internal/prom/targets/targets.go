// Package targets shares the scrape targets of the running `prometheus`
// receivers with the Prometheus API (/prometheus/api/v1/targets). One
// Registry is created with the component factories and passed to both the
// receiver factory and the overlook extension; receivers add their scrape
// manager on Start and remove it on Shutdown.
package targets

import (
	"maps"
	"slices"
	"sync"

	"github.com/prometheus/prometheus/scrape"
)

// Source is what a scrape manager tells about its targets.
type Source interface {
	TargetsActive() map[string][]*scrape.Target
	TargetsDropped() map[string][]*scrape.Target
	TargetsDroppedCounts() map[string]int
}

var _ Source = (*scrape.Manager)(nil)

// Registry holds the scrape managers of the running receivers. The zero
// value is not usable; use NewRegistry. It is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	sources map[string]Source // by receiver ID
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{sources: map[string]Source{}} }

// Add registers the scrape manager of receiver id, replacing any previous.
func (r *Registry) Add(id string, s Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sources[id] = s
}

// Remove unregisters receiver id if s is still its source.
func (r *Registry) Remove(id string, s Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sources[id] == s {
		delete(r.sources, id)
	}
}

// Receivers lists the registered receiver IDs, sorted.
func (r *Registry) Receivers() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.sources))
}

// merge unions per-pool results of every source; pools of different
// receivers with the same job name are concatenated.
func merge[V any](r *Registry, get func(Source) map[string]V, add func(V, V) V) map[string]V {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := map[string]V{}
	for _, id := range slices.Sorted(maps.Keys(r.sources)) {
		for pool, v := range get(r.sources[id]) {
			if prev, ok := out[pool]; ok {
				v = add(prev, v)
			}
			out[pool] = v
		}
	}
	return out
}

func concat(a, b []*scrape.Target) []*scrape.Target { return append(slices.Clip(a), b...) }

// TargetsActive implements Source over every receiver.
func (r *Registry) TargetsActive() map[string][]*scrape.Target {
	return merge(r, Source.TargetsActive, concat)
}

// TargetsDropped implements Source over every receiver.
func (r *Registry) TargetsDropped() map[string][]*scrape.Target {
	return merge(r, Source.TargetsDropped, concat)
}

// TargetsDroppedCounts implements Source over every receiver.
func (r *Registry) TargetsDroppedCounts() map[string]int {
	return merge(r, Source.TargetsDroppedCounts, func(a, b int) int { return a + b })
}
