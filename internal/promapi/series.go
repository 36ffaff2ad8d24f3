package promapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	jsoniter "github.com/json-iterator/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
	"github.com/prometheus/prometheus/util/jsonutil"

	"github.com/overlook-dev/overlook/internal/prom/naming"
	"github.com/overlook-dev/overlook/internal/store"
)

// timeRange reads start and end; without start the range is the
// DefaultRange before end (end defaults to now): unlike Prometheus, every
// read here is bounded in time.
func (h *Handler) timeRange(r *http.Request) (time.Time, time.Time, *result) {
	end := h.now()
	if s := r.FormValue("end"); s != "" {
		t, err := parseTime(s)
		if err != nil {
			res := badData(err, "end")
			return end, end, &res
		}
		end = t
	}
	start := end.Add(-h.opts.DefaultRange)
	if s := r.FormValue("start"); s != "" {
		t, err := parseTime(s)
		if err != nil {
			res := badData(err, "start")
			return end, end, &res
		}
		start = t
	}
	if end.Before(start) {
		res := badData(errors.New("end timestamp must not be before start time"), "end")
		return end, end, &res
	}
	return start, end, nil
}

func (h *Handler) matcherSets(r *http.Request) ([][]*labels.Matcher, error) {
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("error parsing form values: %w", err)
	}
	return h.parser.ParseMetricSelectors(r.Form["match[]"])
}

// series is GET/POST /api/v1/series.
func (h *Handler) series(r *http.Request) result {
	sets, err := h.matcherSets(r)
	if err != nil {
		return badData(err, "match[]")
	}
	if len(sets) == 0 {
		return result{err: &apiError{errorBadData, errors.New("no match[] parameter provided")}}
	}
	limit, err := parseLimit(r.FormValue("limit"))
	if err != nil {
		return badData(err, "limit")
	}
	start, end, bad := h.timeRange(r)
	if bad != nil {
		return *bad
	}
	q, _ := h.queryable.Querier(start.UnixMilli(), end.UnixMilli())
	defer q.Close()
	hints := &storage.SelectHints{Start: start.UnixMilli(), End: end.UnixMilli(), Func: "series"}
	seen := map[uint64]bool{}
	out := []map[string]string{}
	var warns annotations.Annotations
	for _, ms := range sets {
		set := q.Select(r.Context(), true, hints, ms...)
		for set.Next() {
			ls := set.At().Labels()
			if seen[ls.Hash()] {
				continue
			}
			seen[ls.Hash()] = true
			out = append(out, ls.Map())
		}
		if err := set.Err(); err != nil {
			return result{err: queryError(err)}
		}
		warns.Merge(set.Warnings())
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
		warns.Add(errors.New("results truncated due to limit"))
	}
	return result{data: out, warns: warns}
}

// labelNames is GET/POST /api/v1/labels.
func (h *Handler) labelNames(r *http.Request) result {
	return h.labelQuery(r, func(q storage.Querier, ms []*labels.Matcher) ([]string, annotations.Annotations, error) {
		return q.LabelNames(r.Context(), nil, ms...)
	})
}

// labelValues is GET /api/v1/label/{name}/values.
func (h *Handler) labelValues(r *http.Request) result {
	name := r.PathValue("name")
	if strings.HasPrefix(name, "U__") {
		name = model.UnescapeName(name, model.ValueEncodingEscaping)
	}
	if !model.UTF8Validation.IsValidLabelName(name) {
		return result{err: &apiError{errorBadData, fmt.Errorf("invalid label name: %q", name)}}
	}
	return h.labelQuery(r, func(q storage.Querier, ms []*labels.Matcher) ([]string, annotations.Annotations, error) {
		return q.LabelValues(r.Context(), name, nil, ms...)
	})
}

// labelQuery runs get for each match[] set (or once without) and returns
// the sorted union.
func (h *Handler) labelQuery(r *http.Request, get func(storage.Querier, []*labels.Matcher) ([]string, annotations.Annotations, error)) result {
	sets, err := h.matcherSets(r)
	if err != nil {
		return badData(err, "match[]")
	}
	limit, err := parseLimit(r.FormValue("limit"))
	if err != nil {
		return badData(err, "limit")
	}
	start, end, bad := h.timeRange(r)
	if bad != nil {
		return *bad
	}
	q, _ := h.queryable.Querier(start.UnixMilli(), end.UnixMilli())
	defer q.Close()
	if len(sets) == 0 {
		sets = [][]*labels.Matcher{nil}
	}
	union := map[string]struct{}{}
	var warns annotations.Annotations
	for _, ms := range sets {
		vals, w, err := get(q, ms)
		if err != nil {
			return result{err: queryError(err)}
		}
		warns.Merge(w)
		for _, v := range vals {
			union[v] = struct{}{}
		}
	}
	out := make([]string, 0, len(union))
	for v := range union {
		out = append(out, v)
	}
	slices.Sort(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
		warns.Add(errors.New("results truncated due to limit"))
	}
	return result{data: out, warns: warns}
}

// metadataWindow is how far back /api/v1/metadata looks for metrics.
const metadataWindow = 24 * time.Hour

type metricMetadata struct {
	Type string `json:"type"`
	Help string `json:"help"`
	Unit string `json:"unit"`
}

// metadata is GET /api/v1/metadata: the type, help and unit of every
// metric family with points in the last 24 hours (from the store, so it
// covers scraped, OTLP and remote-written metrics alike). A family whose
// remote-write sender gave metadata (store.MetricMetadataStore) is answered
// with that record alone, its series (`_bucket`, `_sum`, `_count`,
// `_total`, ...) folded into it; the others with the type, unit and
// description of their stored OTLP metrics (see metadataFamilies).
func (h *Handler) metadata(r *http.Request) result {
	limit, err := parseLimit(r.FormValue("limit"))
	if err != nil {
		return badData(err, "limit")
	}
	perMetric, err := parseLimit(r.FormValue("limit_per_metric"))
	if err != nil {
		return badData(err, "limit_per_metric")
	}
	now := h.now()
	infos, err := h.opts.Reader.MetricInfos(r.Context(), now.Add(-metadataWindow), now)
	if err != nil {
		return result{err: queryError(err)}
	}
	var recs []store.MetricFamilyMetadata
	if h.opts.Metadata != nil {
		if recs, err = h.opts.Metadata.MetricMetadata(r.Context()); err != nil {
			return result{err: queryError(err)}
		}
	}
	if d, ok := h.opts.Reader.(store.MetricDescriber); ok {
		if err := describe(r.Context(), d, infos, recs, now.Add(-metadataWindow), now); err != nil {
			return result{err: queryError(err)}
		}
	}
	out := metadataFamilies(infos, recs, now.Add(-metadataWindow))
	if want := r.FormValue("metric"); want != "" {
		for fam := range out {
			if fam != want {
				delete(out, fam)
			}
		}
	}
	for fam, mds := range out {
		if perMetric > 0 && len(mds) > perMetric {
			out[fam] = mds[:perMetric]
		}
	}
	if limit > 0 && len(out) > limit {
		names := make([]string, 0, len(out))
		for n := range out {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names[limit:] {
			delete(out, n)
		}
	}
	return result{data: out}
}

// metadataFamilies returns the metadata entries of each family, sorted:
//
//   - a family with a sender's record (recs) has that record as its only
//     entry, when it has points in infos (its own or those of its series'
//     names, e.g. `_bucket`) or the record was seen after since;
//   - the other families have one entry per distinct type, description
//     and unit (not "1") of their stored metrics (naming.Family), without
//     the entries lacking a description that another entry of the same
//     type and unit has.
func metadataFamilies(infos []store.MetricInfo, recs []store.MetricFamilyMetadata, since time.Time) map[string][]metricMetadata {
	byFam := make(map[string]store.MetricFamilyMetadata, len(recs))
	for _, r := range recs {
		byFam[r.Family] = r
	}
	lookup := func(n string) (model.MetricType, bool) {
		r, ok := byFam[n]
		return model.MetricType(r.Type), ok
	}
	out := map[string][]metricMetadata{}
	for _, info := range infos {
		fam, typ := naming.Family(info)
		if fam == "" {
			continue
		}
		if owner := familyOfSeries(fam, lookup); owner != "" {
			r := byFam[owner]
			out[owner] = []metricMetadata{{Type: r.Type, Help: r.Help, Unit: r.Unit}}
			continue
		}
		md := metricMetadata{Type: string(typ), Help: info.Description}
		if info.Unit != "" && info.Unit != "1" {
			md.Unit = info.Unit
		}
		if !slices.Contains(out[fam], md) {
			out[fam] = append(out[fam], md)
		}
	}
	for _, r := range recs {
		if _, ok := out[r.Family]; !ok && !r.Seen.Before(since) {
			out[r.Family] = []metricMetadata{{Type: r.Type, Help: r.Help, Unit: r.Unit}}
		}
	}
	for fam, mds := range out {
		mds = withoutHelpless(mds)
		slices.SortFunc(mds, func(a, b metricMetadata) int {
			return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Help, b.Help), cmp.Compare(a.Unit, b.Unit))
		})
		out[fam] = mds
	}
	return out
}

// describe gives the metrics of infos without a description, and without
// a sender's record, a description of theirs stored elsewhere in
// [start, end] if there is one: MetricInfos takes any one description
// per metric, possibly that of points stored before the metric had one.
func describe(ctx context.Context, d store.MetricDescriber, infos []store.MetricInfo, recs []store.MetricFamilyMetadata, start, end time.Time) error {
	byFam := make(map[string]model.MetricType, len(recs))
	for _, r := range recs {
		byFam[r.Family] = model.MetricType(r.Type)
	}
	lookup := func(n string) (model.MetricType, bool) {
		t, ok := byFam[n]
		return t, ok
	}
	var names []string
	seen := map[string]bool{}
	for _, info := range infos {
		if fam, _ := naming.Family(info); info.Description == "" && fam != "" && !seen[info.Name] && familyOfSeries(fam, lookup) == "" {
			seen[info.Name] = true
			names = append(names, info.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	descs, err := d.MetricDescriptions(ctx, start, end, names)
	if err != nil {
		return fmt.Errorf("metric descriptions: %w", err)
	}
	for i := range infos {
		if infos[i].Description == "" {
			infos[i].Description = descs[infos[i].Name]
		}
	}
	return nil
}

// withoutHelpless drops the entries without help that another entry of
// the same type and unit has help for: the samples a remote-write sender
// wrote before it first sent its metadata (Prometheus sends it apart, once
// a minute) are stored without help.
func withoutHelpless(mds []metricMetadata) []metricMetadata {
	described := map[metricMetadata]bool{} // type and unit that have help
	for _, md := range mds {
		if md.Help != "" {
			described[metricMetadata{Type: md.Type, Unit: md.Unit}] = true
		}
	}
	return slices.DeleteFunc(mds, func(md metricMetadata) bool {
		return md.Help == "" && described[metricMetadata{Type: md.Type, Unit: md.Unit}]
	})
}

// DefaultExemplarLimit caps the exemplars of one query_exemplars answer
// without a limit parameter.
const DefaultExemplarLimit = 10_000

// queryExemplars is GET/POST /api/v1/query_exemplars: the exemplars in
// [start, end] of the series the query's selectors match, as Prometheus
// answers it, from the store's OTLP exemplars (see
// promstorage.Queryable.Exemplars). Unlike Prometheus, the time range
// defaults to the DefaultRange before end, and at most limit exemplars
// (default DefaultExemplarLimit) are read, the newest kept. A store
// without exemplars (no store.ExemplarReader) answers an empty list.
func (h *Handler) queryExemplars(r *http.Request) result {
	expr, err := h.parser.ParseExpr(r.FormValue("query"))
	if err != nil {
		return result{err: &apiError{errorBadData, err}}
	}
	limit, err := parseLimit(r.FormValue("limit"))
	if err != nil {
		return badData(err, "limit")
	}
	if limit == 0 {
		limit = DefaultExemplarLimit
	}
	start, end, bad := h.timeRange(r)
	if bad != nil {
		return *bad
	}
	er, ok := h.opts.Reader.(store.ExemplarReader)
	sets := parser.ExtractSelectors(expr)
	if !ok || len(sets) == 0 {
		return result{data: []exemplar.QueryResult{}}
	}
	res, err := h.prom.Exemplars(r.Context(), er, start.UnixMilli(), end.UnixMilli(), sets, limit)
	if err != nil {
		return result{err: queryError(err)}
	}
	if res == nil {
		res = []exemplar.QueryResult{}
	}
	return result{data: res}
}

// writeExemplars writes query_exemplars results as Prometheus does.
func writeExemplars(s *jsoniter.Stream, res []exemplar.QueryResult) {
	s.WriteArrayStart()
	for i, r := range res {
		if i > 0 {
			s.WriteMore()
		}
		s.WriteObjectStart()
		s.WriteObjectField("seriesLabels")
		writeLabels(s, r.SeriesLabels)
		s.WriteMore()
		s.WriteObjectField("exemplars")
		s.WriteArrayStart()
		for j, ex := range r.Exemplars {
			if j > 0 {
				s.WriteMore()
			}
			s.WriteObjectStart()
			s.WriteObjectField("labels")
			writeLabels(s, ex.Labels)
			s.WriteMore()
			s.WriteObjectField("value")
			jsonutil.MarshalFloat(ex.Value, s)
			s.WriteMore()
			s.WriteObjectField("timestamp")
			jsonutil.MarshalTimestamp(ex.Ts, s)
			s.WriteObjectEnd()
		}
		s.WriteArrayEnd()
		s.WriteObjectEnd()
	}
	s.WriteArrayEnd()
}
