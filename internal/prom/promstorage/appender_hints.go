package promstorage

import (
	"cmp"
	"slices"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/value"
)

// inferResetHints sets the counter reset hint of p's histogram samples
// whose hint is unknown as Prometheus's TSDB reads them back: a sample
// following another histogram sample of the series (no float sample or
// stale marker between) that is not a counter reset (DetectReset) is
// "not reset" (it continues the TSDB's chunk); the first sample of the
// series in this commit, one after a float sample or a stale marker, and
// a detected reset stay unknown (the TSDB starts a new chunk there, whose
// first sample reads as unknown, see prometheus/prometheus#15346; the
// engine then detects resets itself). Gauge histograms keep their hint.
func (p *pending) inferResetHints() {
	if len(p.hists) == 0 {
		return
	}
	slices.SortStableFunc(p.hists, func(a, b histSample) int { return cmp.Compare(a.t, b.t) })
	var prev *histogram.FloatHistogram
	fi := 0 // p.floats are in append order; skip those before each sample
	floats := slices.Clone(p.floats)
	slices.SortStableFunc(floats, func(a, b floatSample) int { return cmp.Compare(a.t, b.t) })
	var lastHist int64
	for i := range p.hists {
		s := &p.hists[i]
		// A float sample between the previous histogram and this one.
		for fi < len(floats) && floats[fi].t < s.t {
			if prev != nil && floats[fi].t > lastHist {
				prev = nil
			}
			fi++
		}
		fh := s.fh
		switch {
		case value.IsStaleNaN(fh.Sum):
			prev = nil
			continue
		case fh.CounterResetHint == histogram.GaugeType:
			prev = nil
			continue
		case fh.CounterResetHint == histogram.UnknownCounterReset && prev != nil && !fh.DetectReset(prev):
			fh.CounterResetHint = histogram.NotCounterReset
		}
		prev, lastHist = fh, s.t
	}
}
