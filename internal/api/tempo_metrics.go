package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

type tempoSample struct {
	TimestampMs string  `json:"timestampMs"`
	Value       float64 `json:"value"`
}

type tempoSeries struct {
	Labels     []tempoKV     `json:"labels"`
	Samples    []tempoSample `json:"samples"`
	PromLabels string        `json:"promLabels"`
}

// handleTempoMetrics is GET /tempo/api/metrics/query_range: q (a TraceQL
// metrics query: rate(), count_over_time(), quantile_over_time(f, q…),
// avg/min/max/sum_over_time(f), each with an optional by()), start, end
// and step (a duration or seconds; default: the range over 100 points).
func (s *Server) handleTempoMetrics(w http.ResponseWriter, r *http.Request) {
	ts, ok := s.tempoSearcher(w)
	if !ok {
		return
	}
	start, end, err := tempoRange(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	step := end.Sub(start) / 100
	if v := r.FormValue("step"); v != "" {
		if n, err2 := strconv.ParseFloat(v, 64); err2 == nil {
			step = time.Duration(n * float64(time.Second))
		} else if step, err = time.ParseDuration(v); err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid step %q: use a duration such as 30s or seconds", v))
			return
		}
	}
	step = max(step, time.Millisecond)
	if n := end.Sub(start) / step; n > tempoMaxPoints {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("step %s makes %d points per series, over the limit of %d: use a larger step", step, n, tempoMaxPoints))
		return
	}
	tq, ok := parseTraceQL(w, r.FormValue("q"))
	if !ok {
		return
	}
	if tq.Metrics == nil {
		writeError(w, http.StatusBadRequest, "invalid TraceQL metrics query: end it with a metrics function, e.g. { } | rate() by (resource.service.name)")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	series, err := ts.TraceQLMetrics(ctx, store.TraceQLMetricsParams{Query: tq, Start: start, End: end, Step: step})
	if err != nil {
		s.tempoFailed(w, r, "metrics", err)
		return
	}
	out := []tempoSeries{}
	for _, sr := range series {
		ts := tempoSeries{Labels: []tempoKV{}, Samples: []tempoSample{}}
		var prom []string
		for i, f := range tq.Metrics.By {
			if i < len(sr.Labels) {
				ts.Labels = append(ts.Labels, strKV(f.Text, sr.Labels[i]))
				prom = append(prom, fmt.Sprintf("%s=%q", f.Text, sr.Labels[i]))
			}
		}
		if tq.Metrics.Fn == "quantile_over_time" {
			qv := sr.Quantile
			ts.Labels = append(ts.Labels, tempoKV{Key: "p", Value: tempoAnyValue{DoubleValue: &qv}})
			prom = append(prom, fmt.Sprintf("p=\"%s\"", strconv.FormatFloat(qv, 'g', -1, 64)))
		}
		if len(prom) == 0 {
			prom = append(prom, fmt.Sprintf("__name__=%q", tq.Metrics.Fn))
		}
		ts.PromLabels = "{" + strings.Join(prom, ", ") + "}"
		for _, smp := range sr.Samples {
			ts.Samples = append(ts.Samples, tempoSample{TimestampMs: strconv.FormatInt(smp.TimeUnixMs, 10), Value: smp.Value})
		}
		out = append(out, ts)
	}
	writeJSON(w, http.StatusOK, map[string]any{"series": out, "metrics": map[string]any{"completedJobs": 1, "totalJobs": 1}})
}
