package overlookext

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Cross-tenant reads ("a|b", as Tempo): the request is served by each
// tenant's stack and the answers are merged. Implemented where merging is
// well defined: Tempo trace by ID (the trace's spans from every tenant),
// Tempo search and native search (results merged newest first, cut at the
// limit). Elsewhere a cross-tenant read is refused with 400.

var (
	tempoTraceRE   = regexp.MustCompile(`^/tempo/api/(v2/)?traces/[^/]+$`)
	crossWhereText = "cross-tenant reads work for GET /tempo/api/traces/{id}, GET /tempo/api/v2/traces/{id}, GET /tempo/api/search and POST /api/search only: name one tenant here"
)

// maxCrossBody bounds a request body replayed to every tenant.
const maxCrossBody = 1 << 20

func (d *dispatcher) serveCross(w http.ResponseWriter, r *http.Request, tenants []string) {
	path := r.URL.Path
	var merge func([]*bufferedAnswer) (*bufferedAnswer, error)
	switch {
	case r.Method == http.MethodGet && tempoTraceRE.MatchString(path):
		merge = mergeTempoTraces(strings.HasPrefix(path, "/tempo/api/v2/"), strings.Contains(r.Header.Get("Accept"), "application/protobuf"))
	case r.Method == http.MethodGet && path == "/tempo/api/search":
		limit := 20
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
			limit = n
		}
		merge = mergeTempoSearch(limit)
	case r.Method == http.MethodPost && path == "/api/search":
		merge = nil // set once the body (and its limit) is read
	default:
		writeTenantErr(w, r, http.StatusBadRequest, fmt.Sprintf("%s %s: %s", r.Method, path, crossWhereText))
		return
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxCrossBody+1))
		if err != nil || len(b) > maxCrossBody {
			writeTenantErr(w, r, http.StatusBadRequest, fmt.Sprintf("read the request body (at most %d bytes): %v", maxCrossBody, err))
			return
		}
		body = b
	}
	if merge == nil {
		var req struct {
			Limit int `json:"limit"`
		}
		_ = json.Unmarshal(body, &req) // each tenant's stack answers a bad body with 400
		limit := req.Limit
		if limit <= 0 {
			limit = nativeSearchDefaultLimit
		}
		merge = mergeNativeSearch(limit)
	}
	answers := make([]*bufferedAnswer, 0, len(tenants))
	for _, t := range tenants {
		rr := r.Clone(r.Context())
		rr.Body = io.NopCloser(bytes.NewReader(body))
		rr.ContentLength = int64(len(body))
		rr.Header.Set(d.mt.header(), t)
		a := newBufferedAnswer()
		d.serveTenant(a, rr, t)
		a.tenant = t
		answers = append(answers, a)
	}
	// An error of any tenant (but "not found") is the answer: a partial
	// result would look complete.
	var ok []*bufferedAnswer
	for _, a := range answers {
		switch {
		case a.code == http.StatusOK:
			ok = append(ok, a)
		case a.code != http.StatusNotFound:
			a.writeTo(w)
			return
		}
	}
	if len(ok) == 0 {
		answers[0].writeTo(w)
		return
	}
	out, err := merge(ok)
	if err != nil {
		writeTenantErr(w, r, http.StatusInternalServerError, "merge the tenants' answers: "+err.Error())
		return
	}
	out.writeTo(w)
}

// bufferedAnswer is an http.ResponseWriter that keeps the answer.
type bufferedAnswer struct {
	tenant string
	header http.Header
	code   int
	body   bytes.Buffer
}

func newBufferedAnswer() *bufferedAnswer {
	return &bufferedAnswer{header: http.Header{}, code: http.StatusOK}
}

func (a *bufferedAnswer) Header() http.Header         { return a.header }
func (a *bufferedAnswer) WriteHeader(code int)        { a.code = code }
func (a *bufferedAnswer) Write(p []byte) (int, error) { return a.body.Write(p) }

func (a *bufferedAnswer) writeTo(w http.ResponseWriter) {
	for k, v := range a.header {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(a.code)
	_, _ = w.Write(a.body.Bytes())
}

// mergeTempoTraces joins the trace's parts from every tenant. Protobuf: a
// Trace (v1) and a TraceByIDResponse (v2) merge by concatenation (protobuf
// merges repeated fields and embedded messages that way). JSON: the
// resource spans lists are joined.
func mergeTempoTraces(v2, proto bool) func([]*bufferedAnswer) (*bufferedAnswer, error) {
	return func(as []*bufferedAnswer) (*bufferedAnswer, error) {
		out := newBufferedAnswer()
		out.header.Set("Content-Type", as[0].header.Get("Content-Type"))
		if proto {
			for _, a := range as {
				out.body.Write(a.body.Bytes())
			}
			return out, nil
		}
		var spans []json.RawMessage
		for _, a := range as {
			var doc struct {
				Batches []json.RawMessage `json:"batches"`
				Trace   struct {
					ResourceSpans []json.RawMessage `json:"resourceSpans"`
				} `json:"trace"`
			}
			if err := json.Unmarshal(a.body.Bytes(), &doc); err != nil {
				return nil, fmt.Errorf("tenant %s: %w", a.tenant, err)
			}
			spans = append(spans, doc.Batches...)
			spans = append(spans, doc.Trace.ResourceSpans...)
		}
		var v any = map[string]any{"batches": spans}
		if v2 {
			v = map[string]any{"trace": map[string]any{"resourceSpans": spans}}
		}
		return out, json.NewEncoder(&out.body).Encode(v)
	}
}

// mergeTempoSearch joins Tempo search results, newest first, cut at limit;
// the metrics are summed.
func mergeTempoSearch(limit int) func([]*bufferedAnswer) (*bufferedAnswer, error) {
	return func(as []*bufferedAnswer) (*bufferedAnswer, error) {
		type trace = map[string]any
		var traces []trace
		metrics := map[string]float64{}
		for _, a := range as {
			var doc struct {
				Traces  []trace            `json:"traces"`
				Metrics map[string]float64 `json:"metrics"`
			}
			if err := json.Unmarshal(a.body.Bytes(), &doc); err != nil {
				return nil, fmt.Errorf("tenant %s: %w", a.tenant, err)
			}
			traces = append(traces, doc.Traces...)
			for k, v := range doc.Metrics {
				metrics[k] += v
			}
		}
		start := func(t trace) int64 {
			s, _ := t["startTimeUnixNano"].(string)
			n, _ := strconv.ParseInt(s, 10, 64)
			return n
		}
		sort.SliceStable(traces, func(i, j int) bool { return start(traces[i]) > start(traces[j]) })
		if len(traces) > limit {
			traces = traces[:limit]
		}
		if traces == nil {
			traces = []trace{}
		}
		out := newBufferedAnswer()
		out.header.Set("Content-Type", "application/json")
		return out, json.NewEncoder(&out.body).Encode(map[string]any{"traces": traces, "metrics": metrics})
	}
}

// nativeSearchDefaultLimit is POST /api/search's default limit (api).
const nativeSearchDefaultLimit = 100

// mergeNativeSearch joins POST /api/search answers: rows newest first
// (by Timestamp), cut at the request's limit, counts summed.
func mergeNativeSearch(limit int) func([]*bufferedAnswer) (*bufferedAnswer, error) {
	return func(as []*bufferedAnswer) (*bufferedAnswer, error) {
		return mergeRows(as, limit)
	}
}

func mergeRows(as []*bufferedAnswer, limit int) (*bufferedAnswer, error) {
	type row = map[string]any
	var rows []row
	var count int64
	for _, a := range as {
		var doc struct {
			Rows  []row `json:"rows"`
			Count int64 `json:"count"`
		}
		if err := json.Unmarshal(a.body.Bytes(), &doc); err != nil {
			return nil, fmt.Errorf("tenant %s: %w", a.tenant, err)
		}
		rows = append(rows, doc.Rows...)
		count += doc.Count
	}
	ts := func(r row) time.Time {
		s, _ := r["Timestamp"].(string)
		t, _ := time.Parse(time.RFC3339Nano, s)
		return t
	}
	sort.SliceStable(rows, func(i, j int) bool { return ts(rows[i]).After(ts(rows[j])) })
	if len(rows) > limit {
		rows = rows[:limit]
	}
	if rows == nil {
		rows = []row{}
	}
	out := newBufferedAnswer()
	out.header.Set("Content-Type", "application/json")
	return out, json.NewEncoder(&out.body).Encode(map[string]any{"rows": rows, "count": count})
}
