package store

import "github.com/overlook-dev/overlook/internal/store/metricgen"

// MetricGenerationReporter is an optional capability of a MetricReader:
// the store keeps the write generations of its metric points per hour of
// sample time (internal/store/metricgen), bumped by every insert after its
// rows are visible and by every deletion, so that PromQL results over
// unchanged hours can be cached exactly (internal/prom/promcache). A store
// that other processes write to too (ClickHouse) cannot know every write
// and MUST NOT implement it.
type MetricGenerationReporter interface {
	MetricGenerations() *metricgen.Tracker
}
