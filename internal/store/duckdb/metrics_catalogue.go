package duckdb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

// The metric catalogue lists, per metrics table, the distinct metrics
// (MetricName, MetricUnit, ScopeName, IsMonotonic, AggregationTemporality)
// with one description and, per UTC hour with points, the first and last
// point time of that hour. It answers MetricInfos without reading the
// tables: it is built at Open (one GROUP BY per table), extended after
// every committed metrics insert, and rebuilt after retention deletes.
// Its size is per metric and hour, never per series or point.
//
// Precision: a metric is listed iff it has points in the range, except
// when the range starts and ends inside one hour that has points of the
// metric on both sides of it and none known inside; then the catalogue
// cannot tell, and MetricInfos asks the tables (such a range is shorter
// than an hour, so that is cheap). While retention deletes rows and until
// the rebuild that follows, metrics of the deleted rows may still be
// listed (over-inclusive, never under-inclusive).

const nsPerHour = int64(time.Hour)

// metricKey identifies a metric within one table.
type metricKey struct {
	name, unit, scope string
	mono              bool
	temp              int32
}

// hourSpan is the first and last point time (ns) of a metric in one hour.
type hourSpan struct{ hour, first, last int64 }

// catEntry is one metric of a table: a description and its hours with
// points, ascending.
type catEntry struct {
	desc  string
	hours []hourSpan
}

// addSpan merges sp into e's hours.
func (e *catEntry) addSpan(sp hourSpan) {
	n := len(e.hours)
	if n > 0 && e.hours[n-1].hour == sp.hour { // the common case: the newest hour
		h := &e.hours[n-1]
		h.first, h.last = min(h.first, sp.first), max(h.last, sp.last)
		return
	}
	i, found := slices.BinarySearchFunc(e.hours, sp.hour, func(h hourSpan, t int64) int { return cmp.Compare(h.hour, t) })
	if found {
		h := &e.hours[i]
		h.first, h.last = min(h.first, sp.first), max(h.last, sp.last)
		return
	}
	e.hours = slices.Insert(e.hours, i, sp)
}

// catTable is the catalogue of one metrics table.
type catTable map[metricKey]*catEntry

// add records a point (or span of points) of metric k in hour sp.hour.
func (t catTable) add(k metricKey, desc string, sp hourSpan) {
	e := t[k]
	if e == nil {
		e = &catEntry{desc: desc}
		t[k] = e
	} else if e.desc == "" {
		e.desc = desc
	}
	e.addSpan(sp)
}

// merge adds every metric and hour of o to t.
func (t catTable) merge(o catTable) {
	for k, e := range o {
		for _, sp := range e.hours {
			t.add(k, e.desc, sp)
		}
	}
}

// catalogue is the store's metric catalogue; see above.
type catalogue struct {
	mu sync.RWMutex
	// tables are indexed by MetricKind-1; a nil table is unknown (not
	// built, or its last rebuild failed) and MetricInfos reads SQL.
	tables [numMetricKinds]catTable
	// pending collects what inserts add to a table while it is rebuilt,
	// to be merged into the rebuilt table; nil when not rebuilding.
	pending [numMetricKinds]catTable
}

const numMetricKinds = 5

// catalogueParts are the metrics tables' kinds with their monotonic and
// temporality columns, or constants for tables without them.
var catalogueParts = [numMetricKinds]struct {
	kind       store.MetricKind
	mono, temp string
}{
	{store.MetricGauge, "", ""},
	{store.MetricSum, "IsMonotonic", "AggregationTemporality"},
	{store.MetricHistogram, "", "AggregationTemporality"},
	{store.MetricExpHistogram, "", "AggregationTemporality"},
	{store.MetricSummary, "", ""},
}

// addBatch records the metrics of a committed insert.
func (c *catalogue) addBatch(b *[numMetricKinds]catTable) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, t := range b {
		if len(t) == 0 {
			continue
		}
		if c.tables[i] != nil {
			c.tables[i].merge(t)
		}
		if c.pending[i] != nil {
			c.pending[i].merge(t)
		}
	}
}

// infos lists the metrics with points in [start, end]; ok is false when
// the catalogue cannot tell (a table unknown, or a metric uncertain).
func (c *catalogue) infos(start, end int64) (out []store.MetricInfo, ok bool) {
	h0, h1 := hourOf(start), hourOf(end)
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i, t := range c.tables {
		if t == nil {
			return nil, false
		}
		for k, e := range t {
			switch e.covers(h0, h1, start, end) {
			case coverNo:
				continue
			case coverMaybe:
				return nil, false
			}
			out = append(out, store.MetricInfo{Kind: catalogueParts[i].kind, Name: k.name, Unit: k.unit, ScopeName: k.scope,
				Description: e.desc, IsMonotonic: k.mono, Temporality: k.temp})
		}
	}
	slices.SortFunc(out, compareInfos)
	return out, true
}

type coverage int

const (
	coverNo coverage = iota
	coverYes
	coverMaybe
)

// covers tells whether e has points in [start, end] (hours h0..h1).
func (e *catEntry) covers(h0, h1, start, end int64) coverage {
	i, _ := slices.BinarySearchFunc(e.hours, h0, func(h hourSpan, t int64) int { return cmp.Compare(h.hour, t) })
	res := coverNo
	for _, sp := range e.hours[i:] {
		if sp.hour > h1 {
			break
		}
		switch {
		case sp.last < start || sp.first > end:
		case sp.first >= start || sp.last <= end:
			return coverYes // its first or last point is in the range
		default:
			res = coverMaybe // points before and after a range inside the hour
		}
	}
	return res
}

func compareInfos(a, b store.MetricInfo) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), strings.Compare(a.Name, b.Name), strings.Compare(a.Unit, b.Unit),
		strings.Compare(a.ScopeName, b.ScopeName), boolCompare(a.IsMonotonic, b.IsMonotonic), cmp.Compare(a.Temporality, b.Temporality))
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// hourOf returns the UTC hour (since the epoch) of ns, rounding down.
func hourOf(ns int64) int64 {
	h := ns / nsPerHour
	if ns%nsPerHour < 0 {
		h--
	}
	return h
}

// rebuildCatalogue re-reads the catalogue of the tables of kinds from the
// database. Inserts committed while it runs are merged in; a table whose
// read fails is left unknown (MetricInfos then reads SQL).
func (s *Store) rebuildCatalogue(ctx context.Context, kinds ...store.MetricKind) error {
	c := &s.cat
	c.mu.Lock()
	for _, k := range kinds {
		c.pending[k-1] = catTable{}
	}
	c.mu.Unlock()
	built := map[store.MetricKind]catTable{}
	err := s.rawRead(ctx, func(r *rawReader) error {
		for _, k := range kinds {
			t, err := readCatalogue(r, k)
			if err != nil {
				return err
			}
			built[k] = t
		}
		return nil
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range kinds {
		t := built[k]
		if t != nil {
			t.merge(c.pending[k-1])
		}
		c.tables[k-1], c.pending[k-1] = t, nil
	}
	if err != nil {
		return fmt.Errorf("metric catalogue: %w", err)
	}
	return nil
}

// readCatalogue reads the catalogue of the table of kind k: its metrics
// grouped by hour, with the hour's first and last point time.
func readCatalogue(r *rawReader, k store.MetricKind) (catTable, error) {
	p := catalogueParts[k-1]
	tbl, _ := metricTable(k)
	mono, temp, group := "false", "0::INTEGER", "MetricName, MetricUnit, ScopeName"
	if p.mono != "" {
		mono, group = p.mono, group+", "+p.mono
	}
	if p.temp != "" {
		temp, group = p.temp, group+", "+p.temp
	}
	q := fmt.Sprintf(`SELECT MetricName, MetricUnit, ScopeName, %s, %s, max(MetricDescription),
epoch_ns(min(TimeUnix)), epoch_ns(max(TimeUnix)) FROM %s GROUP BY %s, date_trunc('hour', TimeUnix)`,
		mono, temp, quoteIdent(tbl.Name), group)
	t := catTable{}
	err := r.query(q, nil, func(ch *rawChunk) error {
		monos, temps := fixed[bool](ch.vec(3), ch.n), fixed[int32](ch.vec(4), ch.n)
		firsts, lasts := fixed[int64](ch.vec(6), ch.n), fixed[int64](ch.vec(7), ch.n)
		for i := range ch.n {
			key := metricKey{stringAt(ch.vec(0), i), stringAt(ch.vec(1), i), stringAt(ch.vec(2), i), monos[i], temps[i]}
			t.add(key, stringAt(ch.vec(5), i), hourSpan{hourOf(firsts[i]), firsts[i], lasts[i]})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read metrics of %s: %w", tbl.Name, err)
	}
	return t, nil
}

// catalogueBatch lists the metrics and hours of md's data points as the
// metrics tables store them (see metricChunks), per table.
func catalogueBatch(md pmetric.Metrics) *[numMetricKinds]catTable {
	var b [numMetricKinds]catTable
	var spans []hourSpan
	add := func(k store.MetricKind, key metricKey, desc string) {
		if len(spans) == 0 {
			return
		}
		if b[k-1] == nil {
			b[k-1] = catTable{}
		}
		for _, sp := range spans {
			b[k-1].add(key, desc, sp)
		}
	}
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			scope := str(sm.Scope().Name())
			for _, mt := range sm.Metrics().All() {
				key := metricKey{name: str(mt.Name()), unit: str(mt.Unit()), scope: scope}
				desc := str(mt.Description())
				spans = spans[:0]
				switch mt.Type() {
				case pmetric.MetricTypeGauge:
					for _, dp := range mt.Gauge().DataPoints().All() {
						spans = addPoint(spans, nanos(dp.Timestamp()))
					}
					add(store.MetricGauge, key, desc)
				case pmetric.MetricTypeSum:
					s := mt.Sum()
					key.mono, key.temp = s.IsMonotonic(), int32(s.AggregationTemporality())
					for _, dp := range s.DataPoints().All() {
						spans = addPoint(spans, nanos(dp.Timestamp()))
					}
					add(store.MetricSum, key, desc)
				case pmetric.MetricTypeHistogram:
					h := mt.Histogram()
					key.temp = int32(h.AggregationTemporality())
					for _, dp := range h.DataPoints().All() {
						spans = addPoint(spans, nanos(dp.Timestamp()))
					}
					add(store.MetricHistogram, key, desc)
				case pmetric.MetricTypeExponentialHistogram:
					h := mt.ExponentialHistogram()
					key.temp = int32(h.AggregationTemporality())
					for _, dp := range h.DataPoints().All() {
						spans = addPoint(spans, nanos(dp.Timestamp()))
					}
					add(store.MetricExpHistogram, key, desc)
				case pmetric.MetricTypeSummary:
					for _, dp := range mt.Summary().DataPoints().All() {
						spans = addPoint(spans, nanos(dp.Timestamp()))
					}
					add(store.MetricSummary, key, desc)
				}
			}
		}
	}
	return &b
}

// addPoint adds the point time ns to spans (a metric's hours, usually one
// or two, in no particular order).
func addPoint(spans []hourSpan, ns int64) []hourSpan {
	h := hourOf(ns)
	for i := range spans {
		if sp := &spans[i]; sp.hour == h {
			sp.first, sp.last = min(sp.first, ns), max(sp.last, ns)
			return spans
		}
	}
	return append(spans, hourSpan{h, ns, ns})
}

// allMetricKinds lists the kinds of the five metrics tables.
func allMetricKinds() []store.MetricKind {
	out := make([]store.MetricKind, 0, numMetricKinds)
	for _, p := range catalogueParts {
		out = append(out, p.kind)
	}
	return out
}

// metricKindOf returns the kind of the metrics table named table, or 0.
func metricKindOf(table string) store.MetricKind {
	for _, p := range catalogueParts {
		if t, _ := metricTable(p.kind); t.Name == table {
			return p.kind
		}
	}
	return 0
}

// known tells whether the catalogue of the table of kind k is built.
func (c *catalogue) known(k store.MetricKind) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tables[k-1] != nil
}
