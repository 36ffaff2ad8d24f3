package duckdb

import (
	"time"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/metricgen"
)

var _ store.MetricGenerationReporter = (*Store)(nil)

// MetricGenerations returns the write generations of the metrics tables
// (internal/store/metricgen): bumped by InsertMetrics(Ext) once its rows
// are committed and by retention once its deletes are. Every write to the
// metrics tables of an open store goes through those two (OTLP, remote
// write, scrapes, rule results, late data; the copy and replay tools write
// through an open store or the API), and only one process opens a data
// directory, so the generations see every change.
func (s *Store) MetricGenerations() *metricgen.Tracker { return s.gens }

// bumpBatch records the hours of a metrics insert's points (its catalogue
// batch: every point's hour, per metric).
func (s *Store) bumpBatch(b *[numMetricKinds]catTable) {
	var hours []int64
	for _, t := range b {
		for _, e := range t {
			for _, sp := range e.hours {
				hours = append(hours, sp.hour)
			}
		}
	}
	s.gens.Bump(hours...)
}

// bumpRetention records that retention deleted metric points older than
// cutoff.
func (s *Store) bumpRetention(cutoff time.Time) {
	s.gens.BumpBefore(cutoff)
}
