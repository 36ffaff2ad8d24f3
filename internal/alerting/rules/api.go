package rules

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	promrules "github.com/prometheus/prometheus/rules"
)

// The JSON shapes of Prometheus's /api/v1/rules and /api/v1/alerts
// (web/api/v1), field for field, so that Grafana's alert list and
// promtool-style tools read them.
type (
	ruleDiscovery struct {
		Groups []*ruleGroup `json:"groups"`
	}
	ruleGroup struct {
		Name           string    `json:"name"`
		File           string    `json:"file"`
		Rules          []any     `json:"rules"`
		Interval       float64   `json:"interval"`
		Limit          int       `json:"limit"`
		EvaluationTime float64   `json:"evaluationTime"`
		LastEvaluation time.Time `json:"lastEvaluation"`
	}
	alertingRule struct {
		State          string               `json:"state"`
		Name           string               `json:"name"`
		Query          string               `json:"query"`
		Duration       float64              `json:"duration"`
		KeepFiringFor  float64              `json:"keepFiringFor"`
		Labels         labels.Labels        `json:"labels"`
		Annotations    labels.Labels        `json:"annotations"`
		Alerts         []*alert             `json:"alerts"`
		Health         promrules.RuleHealth `json:"health"`
		LastError      string               `json:"lastError,omitempty"`
		EvaluationTime float64              `json:"evaluationTime"`
		LastEvaluation time.Time            `json:"lastEvaluation"`
		Type           string               `json:"type"`
	}
	recordingRule struct {
		Name           string               `json:"name"`
		Query          string               `json:"query"`
		Labels         labels.Labels        `json:"labels"`
		Health         promrules.RuleHealth `json:"health"`
		LastError      string               `json:"lastError,omitempty"`
		EvaluationTime float64              `json:"evaluationTime"`
		LastEvaluation time.Time            `json:"lastEvaluation"`
		Type           string               `json:"type"`
	}
	alertDiscovery struct {
		Alerts []*alert `json:"alerts"`
	}
	alert struct {
		Labels          labels.Labels `json:"labels"`
		Annotations     labels.Labels `json:"annotations"`
		State           string        `json:"state"`
		ActiveAt        *time.Time    `json:"activeAt,omitempty"`
		KeepFiringSince *time.Time    `json:"keepFiringSince,omitempty"`
		Value           string        `json:"value"`
	}
)

// Handler serves, under prefix (e.g. "/prometheus"):
//
//	GET      /api/v1/rules   type, rule_name[], rule_group[], file[], match[], exclude_alerts
//	GET      /api/v1/alerts
//	POST|PUT /-/reload       re-read the rule files
func (e *Engine) Handler(prefix string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"/api/v1/rules", e.serveRules)
	mux.HandleFunc("POST "+prefix+"/api/v1/rules", e.serveRules)
	mux.HandleFunc("GET "+prefix+"/api/v1/alerts", e.serveAlerts)
	mux.HandleFunc("POST "+prefix+"/api/v1/alerts", e.serveAlerts)
	mux.HandleFunc("POST "+prefix+"/-/reload", e.serveReload)
	mux.HandleFunc("PUT "+prefix+"/-/reload", e.serveReload)
	return mux
}

func (e *Engine) serveAlerts(w http.ResponseWriter, _ *http.Request) {
	res := &alertDiscovery{Alerts: []*alert{}}
	for _, r := range e.AlertingRules() {
		res.Alerts = append(res.Alerts, apiAlerts(r.ActiveAlerts())...)
	}
	e.writeSuccess(w, res)
}

func apiAlerts(as []*promrules.Alert) []*alert {
	out := make([]*alert, len(as))
	for i, a := range as {
		out[i] = &alert{Labels: a.Labels, Annotations: a.Annotations, State: a.State.String(),
			ActiveAt: &a.ActiveAt, Value: strconv.FormatFloat(a.Value, 'e', -1, 64)}
		if !a.KeepFiringSince.IsZero() {
			out[i].KeepFiringSince = &a.KeepFiringSince
		}
	}
	return out
}

// ruleFilter is the request's filters of /api/v1/rules.
type ruleFilter struct {
	names, groups, files map[string]bool
	matchers             [][]*labels.Matcher
	alerts, records      bool
	excludeAlerts        bool
}

func (e *Engine) parseRuleFilter(r *http.Request) (ruleFilter, error) {
	if err := r.ParseForm(); err != nil {
		return ruleFilter{}, fmt.Errorf("error parsing form values: %w", err)
	}
	set := func(vs []string) map[string]bool {
		m := make(map[string]bool, len(vs))
		for _, v := range vs {
			m[v] = true
		}
		return m
	}
	f := ruleFilter{names: set(r.Form["rule_name[]"]), groups: set(r.Form["rule_group[]"]), files: set(r.Form["file[]"])}
	for _, s := range r.Form["match[]"] {
		ms, err := e.opts.Parser.ParseMetricSelector(s)
		if err != nil {
			return f, fmt.Errorf("invalid parameter \"match[]\": %w", err)
		}
		f.matchers = append(f.matchers, ms)
	}
	switch typ := strings.ToLower(r.FormValue("type")); typ {
	case "":
		f.alerts, f.records = true, true
	case "alert":
		f.alerts = true
	case "record":
		f.records = true
	default:
		return f, fmt.Errorf("invalid parameter \"type\": not supported value %q (use alert or record)", typ)
	}
	if s := r.FormValue("exclude_alerts"); s != "" {
		b, err := strconv.ParseBool(strings.ToLower(s))
		if err != nil {
			return f, fmt.Errorf("invalid parameter \"exclude_alerts\": error converting exclude_alerts: %w", err)
		}
		f.excludeAlerts = b
	}
	if r.FormValue("group_limit") != "" || r.FormValue("group_next_token") != "" {
		return f, fmt.Errorf("group_limit and group_next_token (pagination) are not supported: filter with rule_group[] or file[] instead")
	}
	return f, nil
}

func (e *Engine) serveRules(w http.ResponseWriter, r *http.Request) {
	f, err := e.parseRuleFilter(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_data", err)
		return
	}
	res := &ruleDiscovery{Groups: []*ruleGroup{}}
	for _, g := range e.RuleGroups() {
		if (len(f.groups) > 0 && !f.groups[g.Name()]) || (len(f.files) > 0 && !f.files[g.File()]) {
			continue
		}
		rg := &ruleGroup{Name: g.Name(), File: g.File(), Rules: []any{}, Interval: g.Interval().Seconds(),
			Limit: g.Limit(), EvaluationTime: g.GetEvaluationTime().Seconds(), LastEvaluation: g.GetLastEvaluation()}
		for _, rule := range g.Rules(f.matchers...) {
			if len(f.names) > 0 && !f.names[rule.Name()] {
				continue
			}
			if v := apiRule(rule, f); v != nil {
				rg.Rules = append(rg.Rules, v)
			}
		}
		if len(rg.Rules) > 0 {
			res.Groups = append(res.Groups, rg)
		}
	}
	e.writeSuccess(w, res)
}

// apiRule is rule's JSON, or nil when the filter leaves it out.
func apiRule(rule promrules.Rule, f ruleFilter) any {
	lastError := ""
	if err := rule.LastError(); err != nil {
		lastError = err.Error()
	}
	switch r := rule.(type) {
	case *promrules.AlertingRule:
		if !f.alerts {
			return nil
		}
		var as []*alert
		if !f.excludeAlerts {
			as = apiAlerts(r.ActiveAlerts())
		}
		return alertingRule{State: r.State().String(), Name: r.Name(), Query: r.Query().String(),
			Duration: r.HoldDuration().Seconds(), KeepFiringFor: r.KeepFiringFor().Seconds(),
			Labels: r.Labels(), Annotations: r.Annotations(), Alerts: as, Health: r.Health(), LastError: lastError,
			EvaluationTime: r.GetEvaluationDuration().Seconds(), LastEvaluation: r.GetEvaluationTimestamp(), Type: "alerting"}
	case *promrules.RecordingRule:
		if !f.records {
			return nil
		}
		return recordingRule{Name: r.Name(), Query: r.Query().String(), Labels: r.Labels(), Health: r.Health(),
			LastError: lastError, EvaluationTime: r.GetEvaluationDuration().Seconds(),
			LastEvaluation: r.GetEvaluationTimestamp(), Type: "recording"}
	}
	return nil
}

func (e *Engine) serveReload(w http.ResponseWriter, _ *http.Request) {
	if err := e.Reload(); err != nil {
		// A broken rule file is the caller's to fix: 400, where
		// Prometheus answers 500. The previous rules are kept.
		http.Error(w, "failed to reload rule files: "+err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// envelope is Prometheus's API envelope.
type envelope struct {
	Status    string   `json:"status"`
	Data      any      `json:"data,omitempty"`
	ErrorType string   `json:"errorType,omitempty"`
	Error     string   `json:"error,omitempty"`
	Warnings  []string `json:"warnings,omitempty"`
}

// writeSuccess answers with data; a failed load of the rule files is a
// warning, since the previous rules are still evaluated.
func (e *Engine) writeSuccess(w http.ResponseWriter, data any) {
	env := envelope{Status: "success", Data: data}
	if err := e.ReloadError(); err != nil {
		env.Warnings = []string{"the last load of the rule files failed, the previous rules are evaluated: " + err.Error()}
	}
	writeJSON(w, http.StatusOK, env)
}

func writeError(w http.ResponseWriter, code int, typ string, err error) {
	writeJSON(w, code, envelope{Status: "error", ErrorType: typ, Error: err.Error()})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing else to do
}
