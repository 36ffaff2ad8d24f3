package promapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"time"

	jsoniter "github.com/json-iterator/go"
	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/util/jsonutil"
)

// queryData is the data of query and query_range answers.
type queryData struct {
	ResultType parser.ValueType
	Result     parser.Value
}

// timeoutCtx applies the request's timeout parameter.
func timeoutCtx(r *http.Request) (context.Context, context.CancelFunc, error) {
	ctx := r.Context()
	if to := r.FormValue("timeout"); to != "" {
		d, err := parseDuration(to)
		if err != nil {
			return nil, nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		return ctx, cancel, nil
	}
	return ctx, func() {}, nil
}

func queryOpts(r *http.Request) (promql.QueryOpts, error) {
	var lookback time.Duration
	if s := r.FormValue("lookback_delta"); s != "" {
		d, err := parseDuration(s)
		if err != nil {
			return nil, err
		}
		lookback = d
	}
	return promql.NewPrometheusQueryOpts(r.FormValue("stats") == "all", lookback), nil
}

// query is GET/POST /api/v1/query: an instant query at `time` (default now).
func (h *Handler) query(r *http.Request) result {
	limit, err := parseLimit(r.FormValue("limit"))
	if err != nil {
		return badData(err, "limit")
	}
	ts := h.now()
	if s := r.FormValue("time"); s != "" {
		if ts, err = parseTime(s); err != nil {
			return badData(err, "time")
		}
	}
	ctx, cancel, err := timeoutCtx(r)
	if err != nil {
		return badData(err, "timeout")
	}
	defer cancel()
	opts, err := queryOpts(r)
	if err != nil {
		return result{err: &apiError{errorBadData, err}}
	}
	qs := r.FormValue("query")
	q, err := h.engine.NewInstantQuery(ctx, h.queryable, opts, qs, ts)
	if err != nil {
		return badData(err, "query")
	}
	return h.exec(ctx, q, qs, limit)
}

// queryRange is GET/POST /api/v1/query_range.
func (h *Handler) queryRange(r *http.Request) result {
	limit, err := parseLimit(r.FormValue("limit"))
	if err != nil {
		return badData(err, "limit")
	}
	start, err := parseTime(r.FormValue("start"))
	if err != nil {
		return badData(err, "start")
	}
	end, err := parseTime(r.FormValue("end"))
	if err != nil {
		return badData(err, "end")
	}
	if end.Before(start) {
		return badData(errors.New("end timestamp must not be before start time"), "end")
	}
	step, err := parseDuration(r.FormValue("step"))
	if err != nil {
		return badData(err, "step")
	}
	if step <= 0 {
		return badData(errors.New("zero or negative query resolution step widths are not accepted. Try a positive integer"), "step")
	}
	if end.Sub(start)/step > 11000 {
		return result{err: &apiError{errorBadData, errors.New("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")}}
	}
	ctx, cancel, err := timeoutCtx(r)
	if err != nil {
		return badData(err, "timeout")
	}
	defer cancel()
	opts, err := queryOpts(r)
	if err != nil {
		return result{err: &apiError{errorBadData, err}}
	}
	qs := r.FormValue("query")
	q, err := h.ranges.NewRangeQuery(ctx, h.queryable, opts, qs, start, end, step)
	if err != nil {
		return badData(err, "query")
	}
	return h.exec(ctx, q, qs, limit)
}

// exec runs q; the caller closes it (result.finalize) once the answer is
// written, since Close recycles the result's memory.
func (h *Handler) exec(ctx context.Context, q promql.Query, qs string, limit int) result {
	res := q.Exec(ctx)
	if res.Err != nil {
		return result{err: queryError(res.Err), warns: res.Warnings, query: qs, finalize: q.Close}
	}
	v := res.Value
	if limit > 0 {
		truncated := false
		switch x := v.(type) {
		case promql.Vector:
			if len(x) > limit {
				v, truncated = x[:limit], true
			}
		case promql.Matrix:
			if len(x) > limit {
				v, truncated = x[:limit], true
			}
		}
		if truncated {
			res.Warnings.Add(errors.New("results truncated due to limit"))
		}
	}
	return result{data: &queryData{ResultType: v.Type(), Result: v}, warns: res.Warnings, query: qs, finalize: q.Close}
}

// writeData encodes the API data values, with Prometheus's JSON for
// PromQL values (web/api/v1/json_codec.go).
func writeData(s *jsoniter.Stream, data any) {
	if ex, ok := data.([]exemplar.QueryResult); ok {
		writeExemplars(s, ex)
		return
	}
	d, ok := data.(*queryData)
	if !ok {
		writeList(s, data)
		return
	}
	s.WriteObjectStart()
	s.WriteObjectField("resultType")
	s.WriteString(string(d.ResultType))
	s.WriteMore()
	s.WriteObjectField("result")
	switch v := d.Result.(type) {
	case promql.Matrix:
		s.WriteArrayStart()
		for i, se := range v {
			if i > 0 {
				s.WriteMore()
			}
			writeSeries(s, se)
			if !flushSome(s) {
				return
			}
		}
		s.WriteArrayEnd()
	case promql.Vector:
		s.WriteArrayStart()
		for i, sa := range v {
			if i > 0 {
				s.WriteMore()
			}
			writeSample(s, sa)
			if !flushSome(s) {
				return
			}
		}
		s.WriteArrayEnd()
	case promql.Scalar:
		s.WriteArrayStart()
		jsonutil.MarshalTimestamp(v.T, s)
		s.WriteMore()
		jsonutil.MarshalFloat(v.V, s)
		s.WriteArrayEnd()
	case promql.String:
		s.WriteArrayStart()
		jsonutil.MarshalTimestamp(v.T, s)
		s.WriteMore()
		s.WriteString(v.V)
		s.WriteArrayEnd()
	default:
		s.WriteNil()
	}
	s.WriteObjectEnd()
}

func writeLabels(s *jsoniter.Stream, ls labels.Labels) {
	s.WriteObjectStart()
	i := 0
	ls.Range(func(l labels.Label) {
		if i > 0 {
			s.WriteMore()
		}
		i++
		s.WriteObjectField(l.Name)
		s.WriteString(l.Value)
	})
	s.WriteObjectEnd()
}

func writeSeries(s *jsoniter.Stream, se promql.Series) {
	s.WriteObjectStart()
	s.WriteObjectField("metric")
	writeLabels(s, se.Metric)
	writePoints(s, "values", se.Floats, func(s *jsoniter.Stream, p promql.FPoint) {
		jsonutil.MarshalTimestamp(p.T, s)
		s.WriteMore()
		jsonutil.MarshalFloat(p.F, s)
	})
	writePoints(s, "histograms", se.Histograms, func(s *jsoniter.Stream, p promql.HPoint) {
		jsonutil.MarshalTimestamp(p.T, s)
		s.WriteMore()
		jsonutil.MarshalHistogram(p.H, s)
	})
	s.WriteObjectEnd()
}

// writePoints writes `,"field":[[t,v],...]` unless pts is empty; write
// encodes one point's inside.
func writePoints[P any](s *jsoniter.Stream, field string, pts []P, write func(*jsoniter.Stream, P)) {
	if len(pts) == 0 {
		return
	}
	s.WriteMore()
	s.WriteObjectField(field)
	s.WriteArrayStart()
	for i, p := range pts {
		if i > 0 {
			s.WriteMore()
		}
		s.WriteArrayStart()
		write(s, p)
		s.WriteArrayEnd()
	}
	s.WriteArrayEnd()
}

func writeSample(s *jsoniter.Stream, sa promql.Sample) {
	s.WriteObjectStart()
	s.WriteObjectField("metric")
	writeLabels(s, sa.Metric)
	s.WriteMore()
	if sa.H == nil {
		s.WriteObjectField("value")
	} else {
		s.WriteObjectField("histogram")
	}
	s.WriteArrayStart()
	jsonutil.MarshalTimestamp(sa.T, s)
	s.WriteMore()
	if sa.H == nil {
		jsonutil.MarshalFloat(sa.F, s)
	} else {
		jsonutil.MarshalHistogram(sa.H, s)
	}
	s.WriteArrayEnd()
	s.WriteObjectEnd()
}

// writeList writes data; a slice (series, label names and values) element
// by element, so that the response cap is checked as it grows.
func writeList(s *jsoniter.Stream, data any) {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Slice || v.IsNil() {
		s.WriteVal(data)
		return
	}
	s.WriteArrayStart()
	for i := range v.Len() {
		if i > 0 {
			s.WriteMore()
		}
		s.WriteVal(v.Index(i).Interface())
		if !flushSome(s) {
			return
		}
	}
	s.WriteArrayEnd()
}
