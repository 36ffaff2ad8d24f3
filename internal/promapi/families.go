package promapi

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"

	"github.com/overlook-dev/overlook/internal/store"
)

// maxFamilies bounds the metadata a Handler remembers from remote write.
const maxFamilies = 100_000

// refreshSeen is how often an unchanged family's record is rewritten to
// move its last-seen time.
const refreshSeen = time.Hour

// familyMetadata remembers the metadata remote-write senders gave, by
// family, and keeps it in the store (store.MetricMetadataStore) when the
// store can: Prometheus 2 sends metadata apart from the samples, in 1.0
// requests without series every metadata_config.send_interval (1m by
// default), so the samples of a family take the metadata last sent for
// it (this decides how a float series named *_total is stored, see
// promstorage.Appendable), and /api/v1/metadata answers from the records.
type familyMetadata struct {
	mu     sync.Mutex
	loaded bool
	metas  map[string]familyEntry
}

type familyEntry struct {
	meta  metadata.Metadata
	saved time.Time // when the store last got it; zero: never
}

// saveMetadata makes the families of metas durable in the store (if it
// keeps metadata) and remembers them for the samples that follow. Only
// new or changed families, and unchanged ones last saved over
// refreshSeen ago, are written.
func (h *Handler) saveMetadata(ctx context.Context, metas map[string]metadata.Metadata) error {
	st := h.opts.Metadata
	if st != nil {
		if err := h.families.load(ctx, st); err != nil {
			return err
		}
	}
	now := h.now()
	recs := h.families.changed(metas, now)
	if len(recs) == 0 {
		return nil
	}
	if st != nil {
		if err := st.PutMetricMetadata(ctx, recs); err != nil {
			return fmt.Errorf("store metric metadata: %w", err)
		}
	}
	h.families.remember(recs, st != nil)
	return nil
}

// load reads the store's records the first time it is called, so that a
// restarted overlook knows the families' types before their senders
// resend them.
func (f *familyMetadata) load(ctx context.Context, st store.MetricMetadataStore) error {
	f.mu.Lock()
	loaded := f.loaded
	f.mu.Unlock()
	if loaded {
		return nil
	}
	recs, err := st.MetricMetadata(ctx)
	if err != nil {
		return fmt.Errorf("load metric metadata: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.loaded {
		f.loaded = true
		f.put(recs, true)
	}
	return nil
}

// changed returns the records of metas that are new, differ from the
// remembered ones or were saved over refreshSeen before now.
func (f *familyMetadata) changed(metas map[string]metadata.Metadata, now time.Time) []store.MetricFamilyMetadata {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []store.MetricFamilyMetadata
	for name, m := range metas {
		if e, ok := f.metas[name]; ok && e.meta == m && now.Sub(e.saved) < refreshSeen {
			continue
		}
		out = append(out, store.MetricFamilyMetadata{Family: name, Type: string(m.Type), Unit: m.Unit, Help: m.Help, Seen: now})
	}
	return out
}

// remember takes recs into memory; saved tells whether the store has them.
func (f *familyMetadata) remember(recs []store.MetricFamilyMetadata, saved bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.put(recs, saved)
}

// put adds recs to metas, starting over when the bound is reached (the
// store keeps every family; what is forgotten here is rewritten once).
func (f *familyMetadata) put(recs []store.MetricFamilyMetadata, saved bool) {
	if f.metas == nil || len(f.metas)+len(recs) > maxFamilies {
		f.metas = make(map[string]familyEntry, len(recs))
	}
	for _, r := range recs {
		e := familyEntry{meta: metadata.Metadata{Type: model.MetricType(r.Type), Unit: r.Unit, Help: r.Help}}
		if saved {
			e.saved = r.Seen
		}
		f.metas[r.Family] = e
	}
}

// fill gives the series without metadata the remembered one of their
// family.
func (f *familyMetadata) fill(series []rwSeries) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.metas) == 0 {
		return
	}
	for i := range series {
		s := &series[i]
		if s.meta != (metadata.Metadata{}) {
			continue
		}
		name := s.lset.Get(labels.MetricName)
		if fam := familyOfSeries(name, func(n string) (model.MetricType, bool) {
			e, ok := f.metas[n]
			return e.meta.Type, ok
		}); fam != "" {
			s.meta = f.metas[fam].meta
		}
	}
}

// familyMeta finds a series' metadata by its family name: the name itself
// or the name without a suffix of the family's type.
func familyMeta(metas map[string]metadata.Metadata, name string) metadata.Metadata {
	fam := familyOfSeries(name, func(n string) (model.MetricType, bool) {
		m, ok := metas[n]
		return m.Type, ok
	})
	return metas[fam]
}

// typeSuffixes are the series name suffixes of each type's families.
var typeSuffixes = map[string][]model.MetricType{
	"_total":   {model.MetricTypeCounter, model.MetricTypeUnknown},
	"_bucket":  {model.MetricTypeHistogram, model.MetricTypeGaugeHistogram, model.MetricTypeUnknown},
	"_sum":     {model.MetricTypeHistogram, model.MetricTypeGaugeHistogram, model.MetricTypeSummary, model.MetricTypeUnknown},
	"_count":   {model.MetricTypeHistogram, model.MetricTypeGaugeHistogram, model.MetricTypeSummary, model.MetricTypeUnknown},
	"_created": {model.MetricTypeCounter, model.MetricTypeHistogram, model.MetricTypeSummary, model.MetricTypeUnknown},
	"_gcount":  {model.MetricTypeGaugeHistogram},
	"_gsum":    {model.MetricTypeGaugeHistogram},
	"_info":    {model.MetricTypeInfo},
}

// familyOfSeries returns the family a series name belongs to among the
// known ones (lookup): the name itself, or the name without a suffix that
// the family's type gives its series (`_bucket` of a histogram, `_total`
// of a counter, ...); "" when none is known.
func familyOfSeries(name string, lookup func(string) (model.MetricType, bool)) string {
	if _, ok := lookup(name); ok {
		return name
	}
	for suffix, types := range typeSuffixes {
		base, ok := strings.CutSuffix(name, suffix)
		if !ok || base == "" {
			continue
		}
		if t, ok := lookup(base); ok && containsType(types, t) {
			return base
		}
	}
	return ""
}

func containsType(ts []model.MetricType, t model.MetricType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// seriesMetadata collects the metadata a 2.0 request's series carry, by
// family: a histogram's or summary's series give their family's name
// (without `_bucket`, `_sum`, `_count`).
func seriesMetadata(series []rwSeries) map[string]metadata.Metadata {
	var out map[string]metadata.Metadata
	for _, s := range series {
		if s.meta.Type == "" || s.meta.Type == model.MetricTypeUnknown && s.meta.Help == "" && s.meta.Unit == "" {
			continue
		}
		name := s.lset.Get(labels.MetricName)
		fam := name
		switch s.meta.Type {
		case model.MetricTypeHistogram, model.MetricTypeGaugeHistogram, model.MetricTypeSummary:
			for _, suffix := range []string{"_bucket", "_sum", "_count", "_created"} {
				if base, ok := strings.CutSuffix(name, suffix); ok && base != "" {
					fam = base
					break
				}
			}
		}
		if out == nil {
			out = map[string]metadata.Metadata{}
		}
		out[fam] = s.meta
	}
	return out
}
