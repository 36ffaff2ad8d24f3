package telemetry

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// StoreState is what the store reports about its health and disk at
// scrape time.
type StoreState struct {
	// Healthy is false while the store refuses writes (database
	// invalidated, disk full or below the floor).
	Healthy bool
	// DiskFreeBytes is the free space of the store's file system,
	// FileFreeBytes the free space inside its files, MinFreeDiskBytes the
	// floor of their sum (extensions::overlook::storage::min_free_disk).
	DiskFreeBytes, FileFreeBytes, MinFreeDiskBytes int64
}

// storeState holds the function the store gauges read.
type storeState struct {
	f atomic.Pointer[func() StoreState]
}

func (s *storeState) read() (StoreState, bool) {
	if f := s.f.Load(); f != nil {
		return (*f)(), true
	}
	return StoreState{}, false
}

// SetStoreState sets the function the overlook_store_healthy and disk
// headroom gauges read at scrape time; nil reports no store.
func (m *Metrics) SetStoreState(state func() StoreState) {
	if state == nil {
		m.store.f.Store(nil)
		return
	}
	m.store.f.Store(&state)
}

// SetMemoryBudget publishes the process memory budget and its parts
// (internal/budget) as overlook_memory_budget_bytes{part}.
func (m *Metrics) SetMemoryBudget(parts map[string]int64) {
	for part, n := range parts {
		m.MemoryBudget.WithLabelValues(part).Set(float64(n))
	}
}

// storeCollectors are the store health gauges.
func (m *Metrics) storeCollectors() []prometheus.Collector {
	gauge := func(name, help string, v func(StoreState) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			st, ok := m.store.read()
			if !ok {
				return 0
			}
			return v(st)
		})
	}
	return []prometheus.Collector{
		gauge("overlook_store_healthy",
			"1 while the store takes writes; 0 while it refuses them (database invalidated and being reopened, disk full, or free space below storage::min_free_disk). /ready says why.",
			func(s StoreState) float64 {
				if s.Healthy {
					return 1
				}
				return 0
			}),
		gauge("overlook_store_disk_free_bytes", "Free bytes on the file system holding the store.",
			func(s StoreState) float64 { return float64(s.DiskFreeBytes) }),
		gauge("overlook_store_file_free_bytes", "Free bytes inside the store's database file, reused before it grows.",
			func(s StoreState) float64 { return float64(s.FileFreeBytes) }),
		gauge("overlook_store_min_free_disk_bytes",
			"The floor of free bytes (file system plus inside the file) below which writes are refused (storage::min_free_disk; 0: none).",
			func(s StoreState) float64 { return float64(s.MinFreeDiskBytes) }),
	}
}
