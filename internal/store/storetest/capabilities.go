package storetest

import (
	"slices"
	"testing"

	"github.com/overlook-dev/overlook/internal/store"
)

// Capability names an optional capability of a store (an interface beside
// store.Store) that the suite tests. A backend either implements it — and
// then passes its cases — or declares it Unsupported, and the suite skips
// those cases saying so; a backend that neither implements nor declares
// it fails, so a capability is never silently missing.
type Capability string

// The capabilities the suite knows, with the interfaces they stand for.
const (
	// Sessions: store.SessionInserter and store.SessionReader.
	Sessions Capability = "sessions"
	// Analysis: store.TextAnalyzer, store.DeltaAnalyzer and store.Faceter
	// (Event Patterns, Event Deltas, facets).
	Analysis Capability = "analysis"
	// MetricMetadata: store.MetricMetadataStore and store.MetricDescriber.
	MetricMetadata Capability = "metric-metadata"
	// Metrics: store.MetricReader (PromQL's series), with
	// store.MetricResourceReader (target_info).
	Metrics Capability = "metrics"
	// Exemplars: store.ExemplarReader.
	Exemplars Capability = "exemplars"
	// Charts: store.Store's Chart and Values on every source (part of
	// store.Store; a backend may still declare it unsupported).
	Charts Capability = "charts"
)

// capabilities maps each capability to the check that a store has it.
var capabilities = map[Capability]func(store.Store) bool{
	Sessions: func(s store.Store) bool {
		_, a := s.(store.SessionInserter)
		_, b := s.(store.SessionReader)
		return a && b
	},
	Analysis: func(s store.Store) bool {
		_, a := s.(store.TextAnalyzer)
		_, b := s.(store.DeltaAnalyzer)
		_, c := s.(store.Faceter)
		return a && b && c
	},
	MetricMetadata: func(s store.Store) bool {
		_, a := s.(store.MetricMetadataStore)
		_, b := s.(store.MetricDescriber)
		return a && b
	},
	Metrics: func(s store.Store) bool {
		_, a := s.(store.MetricReader)
		_, b := s.(store.MetricResourceReader)
		return a && b
	},
	Exemplars: func(s store.Store) bool {
		_, a := s.(store.ExemplarReader)
		return a
	},
	Charts: func(store.Store) bool { return true },
}

// Option configures Run.
type Option func(*options)

type options struct {
	unsupported map[Capability]string
}

// Unsupported declares that the backend lacks capability c, and why; the
// suite skips c's cases with that reason.
func Unsupported(c Capability, why string) Option {
	return func(o *options) { o.unsupported[c] = why }
}

func newOptions(opts []Option) *options {
	o := &options{unsupported: map[Capability]string{}}
	for _, f := range opts {
		f(o)
	}
	return o
}

// openCapable opens a store for a case of capability c and returns the
// backend's store itself (closed when t ends), so that the case can
// type-assert its interfaces. It skips t when the backend declared c
// unsupported, and fails t when the backend lacks c without declaring it
// (or declares it and has it).
func openCapable(t *testing.T, open Opener, o *options, c Capability) store.Store {
	t.Helper()
	has, ok := capabilities[c]
	if !ok {
		t.Fatalf("BUG: unknown capability %q", c)
	}
	if why, declared := o.unsupported[c]; declared {
		// Open anyway: a stale declaration fails too.
		s := openStore(t, open).(*onceStore)
		if c != Charts && has(s.Store) {
			t.Fatalf("the backend implements capability %q but declares it unsupported (%s): remove the declaration", c, why)
		}
		t.Skipf("capability %q declared unsupported by the backend: %s", c, why)
	}
	s := openStore(t, open).(*onceStore)
	if !has(s.Store) {
		t.Fatalf("the backend lacks capability %q (%s) and does not declare it: implement it or pass storetest.Unsupported(%q, why)", c, describe(c), c)
	}
	return s.Store
}

func describe(c Capability) string {
	switch c {
	case Sessions:
		return "store.SessionInserter, store.SessionReader"
	case Analysis:
		return "store.TextAnalyzer, store.DeltaAnalyzer, store.Faceter"
	case MetricMetadata:
		return "store.MetricMetadataStore, store.MetricDescriber"
	case Metrics:
		return "store.MetricReader, store.MetricResourceReader"
	case Exemplars:
		return "store.ExemplarReader"
	}
	return string(c)
}

// Capabilities lists the capabilities the suite knows, sorted.
func Capabilities() []string {
	var out []string
	for c := range capabilities {
		out = append(out, string(c))
	}
	slices.Sort(out)
	return out
}
