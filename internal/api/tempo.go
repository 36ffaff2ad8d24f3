package api

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/store"
)

// TempoPrefix is where the Tempo-compatible API is served: Grafana's
// Tempo data source takes http://host:port/tempo as its URL.
const TempoPrefix = "/tempo"

// TempoCompatVersion is the Tempo version /tempo/api/status/buildinfo
// reports, so that Grafana enables the features overlook serves (TraceQL
// search, tags v2, metrics query_range).
const TempoCompatVersion = "2.6.0"

// Tempo API defaults and limits (docs/tempo-api.md).
const (
	tempoDefaultLimit = 20
	tempoDefaultSpss  = 3
	tempoMaxSpss      = 1000
	tempoDefaultRange = time.Hour
	tempoMaxPoints    = 11000
	tempoValuesLimit  = 1000
)

// routeTempo registers the Tempo-compatible API under /tempo.
func (s *Server) routeTempo() {
	p := TempoPrefix
	s.route("GET "+p+"/api/echo", "tempo_echo", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("echo"))
	})
	s.route("GET "+p+"/api/status/buildinfo", "tempo_buildinfo", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{
			"version": TempoCompatVersion, "revision": "overlook", "branch": "", "buildUser": "",
			"buildDate": "", "goVersion": runtime.Version(),
		})
	})
	s.route("GET "+p+"/api/traces/{traceId}", "tempo_trace", s.handleTempoTrace(false))
	s.route("GET "+p+"/api/v2/traces/{traceId}", "tempo_trace_v2", s.handleTempoTrace(true))
	s.route("GET "+p+"/api/search", "tempo_search", s.handleTempoSearch)
	s.route("GET "+p+"/api/search/tags", "tempo_tags", s.handleTempoTags(false))
	s.route("GET "+p+"/api/v2/search/tags", "tempo_tags_v2", s.handleTempoTags(true))
	s.route("GET "+p+"/api/search/tag/{tag}/values", "tempo_tag_values", s.handleTempoTagValues(false))
	s.route("GET "+p+"/api/v2/search/tag/{tag}/values", "tempo_tag_values_v2", s.handleTempoTagValues(true))
	s.route("GET "+p+"/api/metrics/query_range", "tempo_metrics", s.handleTempoMetrics)
	s.route(p+"/", "tempo_unknown", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such Tempo API endpoint: "+r.Method+" "+r.URL.Path+
			"; see docs/tempo-api.md for the endpoints served under /tempo")
	})
}

// tempoSearcher is the store's TraceQL capability, or a 501 written.
func (s *Server) tempoSearcher(w http.ResponseWriter) (store.TraceQLSearcher, bool) {
	ts, ok := s.opts.Store.(store.TraceQLSearcher)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this store does not support TraceQL")
	}
	return ts, ok
}

// parseTempoTime parses a Tempo time parameter: Unix seconds (Tempo's
// documented form), milliseconds or nanoseconds (told apart by
// magnitude), or RFC 3339.
func parseTempoTime(name, v string) (time.Time, error) {
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		switch {
		case n > 1e17:
			return time.Unix(0, int64(n)).UTC(), nil
		case n > 1e11:
			return time.UnixMilli(int64(n)).UTC(), nil
		}
		sec := int64(n)
		return time.Unix(sec, int64((n-float64(sec))*1e9)).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid %s %q: use Unix seconds, e.g. 1767322800, or RFC 3339", name, v)
	}
	return t, nil
}

// tempoRange reads start and end (end: now; start: end − 1h).
func tempoRange(r *http.Request) (start, end time.Time, err error) {
	end = time.Now().UTC()
	if v := r.FormValue("end"); v != "" {
		if end, err = parseTempoTime("end", v); err != nil {
			return
		}
	}
	start = end.Add(-tempoDefaultRange)
	if v := r.FormValue("start"); v != "" {
		if start, err = parseTempoTime("start", v); err != nil {
			return
		}
	}
	if !start.Before(end) {
		err = fmt.Errorf("start %s is not before end %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
		return
	}
	// Tempo's end is inclusive at one-second resolution.
	if r.FormValue("end") != "" && end.Truncate(time.Second).Equal(end) {
		end = end.Add(time.Second)
	}
	return start, end, nil
}

// parseTraceQL parses a query, writing a 400 naming the position.
func parseTraceQL(w http.ResponseWriter, q string) (*traceql.Query, bool) {
	tq, err := traceql.Parse(q)
	if err != nil {
		tempoQueryError(w, err)
		return nil, false
	}
	return tq, true
}

func tempoQueryError(w http.ResponseWriter, err error) {
	var se *query.SyntaxError
	if errors.As(err, &se) {
		writeErrorAt(w, http.StatusBadRequest, "invalid TraceQL query: "+se.Error(), se.Pos)
		return
	}
	writeError(w, http.StatusBadRequest, "invalid TraceQL query: "+err.Error())
}

// intParam reads a positive integer parameter (def when absent).
func intParam(r *http.Request, name string, def, maxV int) (int, error) {
	v := r.FormValue(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > maxV {
		return 0, fmt.Errorf("invalid %s %q: use an integer from 1 to %d", name, v, maxV)
	}
	return n, nil
}

// durParam reads a Go duration parameter (0 when absent).
func durParam(r *http.Request, name string) (time.Duration, error) {
	v := r.FormValue(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid %s %q: use a duration such as 100ms or 2s", name, v)
	}
	return d, nil
}

// tagsToTraceQL turns Tempo's logfmt tags parameter (k=v k2="v 2") into
// a spanset filter: name and status are intrinsics, other keys unscoped
// attributes.
func tagsToTraceQL(tags string) (string, error) {
	var conds []string
	rest := strings.TrimSpace(tags)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return "", fmt.Errorf("invalid tags %q: use logfmt, e.g. service.name=frontend http.status_code=500", tags)
		}
		key := strings.TrimSpace(rest[:eq])
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return "", fmt.Errorf("invalid tags %q: unterminated quoted value", tags)
			}
			val, rest = rest[1:1+end], rest[2+end:]
		} else {
			sp := strings.IndexAny(rest, " \t")
			if sp < 0 {
				sp = len(rest)
			}
			val, rest = rest[:sp], rest[sp:]
		}
		rest = strings.TrimSpace(rest)
		switch key {
		case "name":
			conds = append(conds, "name = "+strconv.Quote(val))
		case "status.code", "status":
			conds = append(conds, "status = "+strings.ToLower(strings.TrimPrefix(strings.ToLower(val), "status_code_")))
		default:
			for _, c := range key {
				if c == ' ' || c == '"' || c == '{' || c == '}' {
					return "", fmt.Errorf("invalid tag key %q", key)
				}
			}
			conds = append(conds, "."+key+" = "+strconv.Quote(val))
		}
	}
	return "{ " + strings.Join(conds, " && ") + " }", nil
}
