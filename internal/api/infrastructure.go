package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// maxInfraPoints bounds the points one /api/infrastructure request reads.
const maxInfraPoints = 200_000

// infraKind is one kind of infrastructure an event runs on, the resource
// attributes that identify it (first present wins) and its panels.
type infraKind struct {
	kind  string
	attrs []string
	// missing is what to report when the event has none of attrs.
	missing string
	panels  []infraPanel
}

// infraPanel is one chart: the first of metrics with points wins.
type infraPanel struct {
	title   string
	metrics []string
}

var infraKinds = []infraKind{
	{kind: "pod", attrs: []string{"k8s.pod.uid", "k8s.pod.name"}, missing: "k8s.pod.name", panels: []infraPanel{
		{"Pod CPU", []string{"k8s.pod.cpu.usage", "k8s.pod.cpu.utilization", "container.cpu.usage"}},
		{"Pod memory", []string{"k8s.pod.memory.usage", "k8s.pod.memory.working_set", "container.memory.usage"}},
	}},
	{kind: "node", attrs: []string{"k8s.node.name"}, missing: "k8s.node.name", panels: []infraPanel{
		{"Node CPU", []string{"k8s.node.cpu.usage"}},
		{"Node memory", []string{"k8s.node.memory.usage"}},
	}},
	{kind: "host", attrs: []string{"host.name"}, missing: "host.name", panels: []infraPanel{
		{"Host CPU", []string{"system.cpu.utilization"}},
		{"Host memory", []string{"system.memory.usage"}},
	}},
}

var infraWindows = map[string]time.Duration{"1h": time.Hour, "1d": 24 * time.Hour}

type infraRequest struct {
	Resource map[string]string `json:"resource"`
	Time     string            `json:"time"`
	Window   string            `json:"window"`
}

type infraMatch struct {
	Kind      string `json:"kind"`
	Attribute string `json:"attribute"`
	Value     string `json:"value"`
}

type infraSeries struct {
	Name   string       `json:"name"`
	Points [][2]float64 `json:"points"`
}

type infraPanelOut struct {
	Kind   string        `json:"kind"`
	Title  string        `json:"title"`
	Metric string        `json:"metric"`
	Unit   string        `json:"unit"`
	Series []infraSeries `json:"series"`
}

type infraResponse struct {
	Start   string          `json:"start"`
	End     string          `json:"end"`
	Matches []infraMatch    `json:"matches"`
	Panels  []infraPanelOut `json:"panels"`
	Missing []string        `json:"missing"`
}

// handleInfrastructure serves POST /api/infrastructure: the CPU and memory
// of the pod, node and host an event ran on (matched by its resource
// attributes against the metric points' resource attributes) over a
// window centred on the event's time (docs/analysis-api.md).
func (s *Server) handleInfrastructure(w http.ResponseWriter, r *http.Request) {
	var req infraRequest
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &req) {
		return
	}
	if req.Time == "" {
		writeError(w, http.StatusBadRequest, "time is required: the event's time in RFC 3339, e.g. 2026-01-02T15:04:05Z")
		return
	}
	at, err := time.Parse(time.RFC3339Nano, req.Time)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid time %q: use RFC 3339, e.g. 2026-01-02T15:04:05Z", req.Time))
		return
	}
	if req.Window == "" {
		req.Window = "1h"
	}
	win, ok := infraWindows[req.Window]
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid window %q: use \"1h\" or \"1d\"", req.Window))
		return
	}
	mr, ok := s.opts.Store.(store.MetricReader)
	if !ok {
		unsupported(w, "infrastructure metrics")
		return
	}
	start, end := at.Add(-win/2).UTC(), at.Add(win/2).UTC()
	out := infraResponse{Start: start.Format(time.RFC3339Nano), End: end.Format(time.RFC3339Nano),
		Matches: []infraMatch{}, Panels: []infraPanelOut{}, Missing: []string{}}
	// Per kind, the attributes the event has, in order of preference.
	cands := make([][]infraMatch, len(infraKinds))
	found := false
	for i, k := range infraKinds {
		for _, a := range k.attrs {
			if v := strings.TrimSpace(req.Resource[a]); v != "" {
				cands[i] = append(cands[i], infraMatch{Kind: k.kind, Attribute: a, Value: v})
			}
		}
		if len(cands[i]) == 0 {
			out.Missing = append(out.Missing, k.missing)
		}
		found = found || len(cands[i]) > 0
	}
	if !found {
		writeJSON(w, http.StatusOK, out)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	infos, err := mr.MetricInfos(ctx, start, end)
	if err != nil {
		s.queryFailed(w, r, "infrastructure", err)
		return
	}
	byName := map[string]store.MetricInfo{}
	for _, mi := range infos {
		if mi.Kind == store.MetricGauge || mi.Kind == store.MetricSum {
			if _, dup := byName[mi.Name]; !dup {
				byName[mi.Name] = mi
			}
		}
	}
	// A kind matches on its first attribute with points (a pod by uid,
	// else by name); without any, on its first attribute, with no panel.
	for i, k := range infraKinds {
		for j, m := range cands[i] {
			var panels []infraPanelOut
			for _, p := range k.panels {
				panel, err := s.infraPanel(ctx, mr, byName, m, p, start, end)
				if err != nil {
					s.queryFailed(w, r, "infrastructure", err)
					return
				}
				if panel != nil {
					panels = append(panels, *panel)
				}
			}
			if len(panels) > 0 || j == len(cands[i])-1 {
				if len(panels) == 0 {
					m = cands[i][0]
				}
				out.Matches = append(out.Matches, m)
				out.Panels = append(out.Panels, panels...)
				break
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// infraPanel reads the first metric of p with points of the matched
// resource, or returns nil when none has.
func (s *Server) infraPanel(ctx context.Context, mr store.MetricReader, byName map[string]store.MetricInfo,
	m infraMatch, p infraPanel, start, end time.Time) (*infraPanelOut, error) {
	for _, name := range p.metrics {
		mi, ok := byName[name]
		if !ok {
			continue
		}
		series, err := mr.SelectMetrics(ctx, store.MetricSelectParams{Kind: mi.Kind, Names: []string{name}, Start: start, End: end,
			Filters:   []store.MetricFilter{{Column: "ResourceAttributes", Key: m.Attribute, Value: m.Value}},
			MaxPoints: maxInfraPoints})
		if errors.Is(err, store.ErrTooManyPoints) {
			return nil, fmt.Errorf("%w: %s has more than %d points for %s=%s in the window: use the 1h window", store.ErrInvalidArgument, name, maxInfraPoints, m.Attribute, m.Value)
		}
		if err != nil {
			return nil, err
		}
		out := &infraPanelOut{Kind: m.Kind, Title: p.title, Metric: name, Unit: mi.Unit, Series: []infraSeries{}}
		for _, sr := range series {
			if sr.Info.Name != name || len(sr.Values) == 0 {
				continue
			}
			is := infraSeries{Name: seriesName(sr, m), Points: make([][2]float64, 0, len(sr.Times))}
			for i, t := range sr.Times {
				if i < len(sr.Flags) && sr.Flags[i]&1 != 0 {
					continue
				}
				is.Points = append(is.Points, [2]float64{float64(t) / 1e9, sr.Values[i]})
			}
			out.Series = append(out.Series, is)
		}
		if len(out.Series) == 0 {
			continue
		}
		sort.Slice(out.Series, func(a, b int) bool { return out.Series[a].Name < out.Series[b].Name })
		return out, nil
	}
	return nil, nil
}

// seriesName names a series by its point attributes (k=v, sorted), else
// by the matched resource's value.
func seriesName(sr store.MetricSeries, m infraMatch) string {
	if len(sr.Attributes) == 0 {
		if c := sr.ResourceAttributes["k8s.container.name"]; c != "" && m.Kind == "pod" {
			return c
		}
		return m.Value
	}
	keys := make([]string, 0, len(sr.Attributes))
	for k := range sr.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + sr.Attributes[k]
	}
	return strings.Join(parts, ", ")
}
