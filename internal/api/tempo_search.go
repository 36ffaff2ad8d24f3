package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// Tempo's JSON shapes (its documented HTTP API): 64-bit integers are
// strings, as protobuf's JSON mapping writes them.
type tempoKV struct {
	Key   string        `json:"key"`
	Value tempoAnyValue `json:"value"`
}

type tempoAnyValue struct {
	StringValue *string  `json:"stringValue,omitempty"`
	DoubleValue *float64 `json:"doubleValue,omitempty"`
}

func strKV(k, v string) tempoKV { return tempoKV{Key: k, Value: tempoAnyValue{StringValue: &v}} }

type tempoSpan struct {
	SpanID            string    `json:"spanID"`
	Name              string    `json:"name"`
	StartTimeUnixNano string    `json:"startTimeUnixNano"`
	DurationNanos     string    `json:"durationNanos"`
	Attributes        []tempoKV `json:"attributes,omitempty"`
}

type tempoSpanSet struct {
	Spans      []tempoSpan `json:"spans"`
	Matched    int         `json:"matched"`
	Attributes []tempoKV   `json:"attributes,omitempty"`
}

type tempoTrace struct {
	TraceID           string         `json:"traceID"`
	RootServiceName   string         `json:"rootServiceName"`
	RootTraceName     string         `json:"rootTraceName"`
	StartTimeUnixNano string         `json:"startTimeUnixNano"`
	DurationMs        int64          `json:"durationMs"`
	SpanSet           *tempoSpanSet  `json:"spanSet,omitempty"`
	SpanSets          []tempoSpanSet `json:"spanSets"`
}

type tempoSearchMetrics struct {
	InspectedTraces int `json:"inspectedTraces"`
	CompletedJobs   int `json:"completedJobs"`
	TotalJobs       int `json:"totalJobs"`
}

type tempoSearchResponse struct {
	Traces  []tempoTrace       `json:"traces"`
	Metrics tempoSearchMetrics `json:"metrics"`
}

// handleTempoSearch is GET /tempo/api/search: q (TraceQL) or tags,
// minDuration, maxDuration, limit, spss, start, end.
func (s *Server) handleTempoSearch(w http.ResponseWriter, r *http.Request) {
	ts, ok := s.tempoSearcher(w)
	if !ok {
		return
	}
	start, end, err := tempoRange(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	limit, err := intParam(r, "limit", tempoDefaultLimit, maxLimit)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	spss, err := intParam(r, "spss", tempoDefaultSpss, tempoMaxSpss)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	minD, err := durParam(r, "minDuration")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	maxD, err := durParam(r, "maxDuration")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if maxD > 0 && minD > maxD {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("minDuration %s is over maxDuration %s", minD, maxD))
		return
	}
	qs := r.FormValue("q")
	if qs == "" {
		if qs, err = tagsToTraceQL(r.FormValue("tags")); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	tq, ok := parseTraceQL(w, qs)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	res, err := ts.TraceQLSearch(ctx, store.TraceQLSearchParams{Query: tq, Start: start, End: end,
		Limit: limit, SpansPerSet: spss, MinDuration: minD, MaxDuration: maxD})
	if err != nil {
		s.tempoFailed(w, r, "search", err)
		return
	}
	writeJSON(w, http.StatusOK, tempoSearchBody(tq, res))
}

// tempoSearchBody shapes search results as Tempo's SearchResponse.
func tempoSearchBody(tq *traceql.Query, res []store.TraceQLTrace) tempoSearchResponse {
	out := tempoSearchResponse{Traces: []tempoTrace{}, Metrics: tempoSearchMetrics{InspectedTraces: len(res), CompletedJobs: 1, TotalJobs: 1}}
	for _, t := range res {
		tt := tempoTrace{TraceID: t.TraceID, RootServiceName: t.RootServiceName, RootTraceName: t.RootTraceName,
			StartTimeUnixNano: strconv.FormatInt(t.StartUnixNano, 10), DurationMs: t.DurationNanos / 1e6,
			SpanSets: []tempoSpanSet{}}
		if tt.RootServiceName == "" {
			tt.RootServiceName = "<root span not yet received>"
		}
		for _, ss := range t.SpanSets {
			set := tempoSpanSet{Spans: []tempoSpan{}, Matched: ss.Matched}
			for i, g := range ss.Group {
				if i < len(tq.By) {
					set.Attributes = append(set.Attributes, strKV(tq.By[i].Text, g))
				}
			}
			for _, sp := range ss.Spans {
				ts := tempoSpan{SpanID: sp.SpanID, Name: sp.Name, StartTimeUnixNano: strconv.FormatInt(sp.StartUnixNano, 10),
					DurationNanos: strconv.FormatInt(sp.DurationNanos, 10),
					Attributes:    []tempoKV{strKV("service.name", sp.ServiceName)}}
				for i, v := range sp.Selected {
					if i < len(tq.Select) {
						ts.Attributes = append(ts.Attributes, strKV(selectKey(tq.Select[i]), v))
					}
				}
				set.Spans = append(set.Spans, ts)
			}
			tt.SpanSets = append(tt.SpanSets, set)
		}
		if len(tt.SpanSets) > 0 {
			first := tt.SpanSets[0]
			tt.SpanSet = &first
		}
		out.Traces = append(out.Traces, tt)
	}
	return out
}

// selectKey is the attribute key a select()ed field is returned under.
func selectKey(f *traceql.Field) string {
	if f.Intrinsic != "" {
		return string(f.Intrinsic)
	}
	return f.Key
}

// tempoFailed maps a store error like queryFailed, query errors as 400.
func (s *Server) tempoFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.queryFailed(w, r, "tempo "+what, err)
}

// intrinsicTags are the intrinsics listed by search/tags v2.
var intrinsicTags = []string{"duration", "event:name", "kind", "link:traceID", "name", "rootName",
	"rootServiceName", "span:id", "status", "statusMessage", "trace:id", "traceDuration"}

// handleTempoTags is GET /tempo/api/search/tags (v1: {"tagNames"}) and
// /tempo/api/v2/search/tags (v2: {"scopes"}), with scope = span,
// resource, intrinsic or none (all).
func (s *Server) handleTempoTags(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start, end, err := tempoRange(r)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		scope := r.FormValue("scope")
		switch scope {
		case "", "all", "span", "resource", "intrinsic":
		default:
			writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown scope %q: use span, resource, intrinsic or leave it out", scope))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
		defer cancel()
		fields, err := s.opts.Store.Fields(ctx, store.FieldsParams{Source: &schema.TracesSource, Start: start, End: end})
		if err != nil {
			s.tempoFailed(w, r, "tags", err)
			return
		}
		tags := map[string][]string{}
		for _, f := range fields {
			for sc, prefix := range map[string]string{"span": "SpanAttributes.", "resource": "ResourceAttributes."} {
				if k, ok := strings.CutPrefix(f.Name, prefix); ok && k != "" {
					tags[sc] = append(tags[sc], k)
				}
			}
		}
		tags["intrinsic"] = intrinsicTags
		if !v2 {
			seen := map[string]bool{}
			names := []string{}
			for _, sc := range []string{"span", "resource", "intrinsic"} {
				if scope != "" && scope != "all" && scope != sc {
					continue
				}
				if sc == "intrinsic" && scope != "intrinsic" {
					continue
				}
				for _, k := range tags[sc] {
					if !seen[k] {
						seen[k] = true
						names = append(names, k)
					}
				}
			}
			sort.Strings(names)
			writeJSON(w, http.StatusOK, map[string][]string{"tagNames": names})
			return
		}
		type scopeTags struct {
			Name string   `json:"name"`
			Tags []string `json:"tags"`
		}
		out := []scopeTags{}
		for _, sc := range []string{"resource", "span", "intrinsic"} {
			if scope != "" && scope != "all" && scope != sc {
				continue
			}
			t := append([]string{}, tags[sc]...)
			sort.Strings(t)
			out = append(out, scopeTags{Name: sc, Tags: t})
		}
		writeJSON(w, http.StatusOK, map[string]any{"scopes": out})
	}
}

// handleTempoTagValues is GET /tempo/api/search/tag/{tag}/values (v1: an
// unscoped attribute or intrinsic; {"tagValues": [string]}) and the v2
// form (a TraceQL field such as resource.service.name; {"tagValues":
// [{"type","value"}]}), narrowed by q, a TraceQL spanset filter.
func (s *Server) handleTempoTagValues(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ts, ok := s.tempoSearcher(w)
		if !ok {
			return
		}
		start, end, err := tempoRange(r)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		tag := r.PathValue("tag")
		ftext := tag
		if !v2 {
			if _, isIntrinsic := traceqlIntrinsic(tag); !isIntrinsic {
				ftext = "." + tag
			}
		}
		field, err := traceql.ParseField(ftext)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid tag %q: %v", tag, err))
			return
		}
		var tq *traceql.Query
		if q := r.FormValue("q"); q != "" && q != "{}" {
			if tq, ok = parseTraceQL(w, q); !ok {
				return
			}
		}
		limit, err := intParam(r, "limit", tempoValuesLimit, tempoValuesLimit)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
		defer cancel()
		vals, err := ts.TraceQLValues(ctx, store.TraceQLValuesParams{Query: tq, Field: field, Start: start, End: end, Limit: limit})
		if err != nil {
			s.tempoFailed(w, r, "tag values", err)
			return
		}
		sort.SliceStable(vals, func(i, j int) bool { return vals[i].Value < vals[j].Value })
		if !v2 {
			out := make([]string, len(vals))
			for i, v := range vals {
				out[i] = v.Value
			}
			writeJSON(w, http.StatusOK, map[string]any{"tagValues": out})
			return
		}
		type typed struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		}
		typ := "string"
		switch field.Intrinsic {
		case traceql.IStatus, traceql.IKind:
			typ = "keyword"
		case traceql.IDuration, traceql.ITraceDuration:
			typ = "duration"
		}
		out := make([]typed, len(vals))
		for i, v := range vals {
			out[i] = typed{Type: typ, Value: v.Value}
		}
		writeJSON(w, http.StatusOK, map[string]any{"tagValues": out})
	}
}

// traceqlIntrinsic reports whether tag is an intrinsic's name.
func traceqlIntrinsic(tag string) (string, bool) {
	for _, t := range intrinsicTags {
		if t == tag {
			return t, true
		}
	}
	return "", false
}
