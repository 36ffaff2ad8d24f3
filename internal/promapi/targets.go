package promapi

import (
	"net/http"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/scrape"
)

// target is one active target in /api/v1/targets.
type target struct {
	DiscoveredLabels   map[string]string `json:"discoveredLabels"`
	Labels             map[string]string `json:"labels"`
	ScrapePool         string            `json:"scrapePool"`
	ScrapeURL          string            `json:"scrapeUrl"`
	GlobalURL          string            `json:"globalUrl"`
	LastError          string            `json:"lastError"`
	LastScrape         time.Time         `json:"lastScrape"`
	LastScrapeDuration float64           `json:"lastScrapeDuration"`
	Health             string            `json:"health"`
	ScrapeInterval     string            `json:"scrapeInterval"`
	ScrapeTimeout      string            `json:"scrapeTimeout"`
}

type droppedTarget struct {
	DiscoveredLabels map[string]string `json:"discoveredLabels"`
	ScrapePool       string            `json:"scrapePool"`
}

type targetDiscovery struct {
	ActiveTargets       []*target        `json:"activeTargets"`
	DroppedTargets      []*droppedTarget `json:"droppedTargets"`
	DroppedTargetCounts map[string]int   `json:"droppedTargetCounts"`
}

func sortedPools(m map[string][]*scrape.Target) []string {
	pools := make([]string, 0, len(m))
	for p := range m {
		pools = append(pools, p)
	}
	slices.Sort(pools)
	return pools
}

// targets is GET /api/v1/targets (state=active|dropped|any, scrapePool=):
// the targets of every `prometheus` receiver, with their health and last
// scrape error ("server returned HTTP status 401 Unauthorized", ...).
func (h *Handler) targets(r *http.Request) result {
	pool := r.URL.Query().Get("scrapePool")
	state := strings.ToLower(r.URL.Query().Get("state"))
	showActive := state == "" || state == "any" || state == "active"
	showDropped := state == "" || state == "any" || state == "dropped"
	res := &targetDiscovery{ActiveTargets: []*target{}, DroppedTargets: []*droppedTarget{}, DroppedTargetCounts: map[string]int{}}
	src := h.opts.Targets
	if src == nil {
		return result{data: res}
	}
	b := labels.NewBuilder(labels.EmptyLabels())
	if showActive {
		active := src.TargetsActive()
		for _, p := range sortedPools(active) {
			if pool != "" && p != pool {
				continue
			}
			for _, t := range active[p] {
				lastErr := ""
				if err := t.LastError(); err != nil {
					lastErr = err.Error()
				}
				res.ActiveTargets = append(res.ActiveTargets, &target{
					DiscoveredLabels:   t.DiscoveredLabels(b).Map(),
					Labels:             t.Labels(b).Map(),
					ScrapePool:         p,
					ScrapeURL:          t.URL().String(),
					GlobalURL:          t.URL().String(),
					LastError:          lastErr,
					LastScrape:         t.LastScrape(),
					LastScrapeDuration: t.LastScrapeDuration().Seconds(),
					Health:             string(t.Health()),
					ScrapeInterval:     t.GetValue(model.ScrapeIntervalLabel),
					ScrapeTimeout:      t.GetValue(model.ScrapeTimeoutLabel),
				})
			}
		}
	}
	if showDropped {
		res.DroppedTargetCounts = src.TargetsDroppedCounts()
		dropped := src.TargetsDropped()
		for _, p := range sortedPools(dropped) {
			if pool != "" && p != pool {
				continue
			}
			for _, t := range dropped[p] {
				res.DroppedTargets = append(res.DroppedTargets, &droppedTarget{DiscoveredLabels: t.DiscoveredLabels(b).Map(), ScrapePool: p})
			}
		}
	}
	return result{data: res}
}

// PrometheusVersion is the Prometheus release whose PromQL engine and
// scrape code overlook runs (module github.com/prometheus/prometheus
// v0.312.0); /api/v1/status/buildinfo reports it so that clients such as
// Grafana enable the matching features.
const PrometheusVersion = "3.12.0"

// buildInfo is GET /api/v1/status/buildinfo.
func (h *Handler) buildInfo(*http.Request) result {
	return result{data: map[string]string{
		"version":   PrometheusVersion,
		"revision":  "overlook",
		"branch":    "",
		"buildUser": "",
		"buildDate": "",
		"goVersion": runtime.Version(),
	}}
}
