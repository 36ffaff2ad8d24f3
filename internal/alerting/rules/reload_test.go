package rules

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/promql/parser"
	"log/slog"
)

const brokenRule = `groups:
  - name: app
    rules:
      - alert: High
        expr: level{job="app"} > 10
      - alert: Broken
        expr: rate(level[5m]
`

// ruleNames lists the rules the engine evaluates.
func ruleNames(e *Engine) []string {
	var out []string
	for _, g := range e.RuleGroups() {
		for _, r := range g.Rules() {
			out = append(out, r.Name())
		}
	}
	return out
}

// TestReload: POST and PUT /-/reload pick up a changed rule file; a
// broken one is refused with 400 naming file, line, group and rule, the
// previous rules stay in effect, and the failure shows in
// prometheus_config_last_reload_successful and as a warning of
// /api/v1/rules until a reload succeeds.
func TestReload(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	path := writeRules(t, dir, "app.yml", highRule)
	e, err := newEngine(t, env, prometheus.NewRegistry(), NewLastGood(), filepath.Join(dir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ruleNames(e), ","); got != "High" {
		t.Fatalf("rules %s, want High", got)
	}
	writeRules(t, dir, "more.yml", "groups:\n  - name: more\n    rules:\n      - record: x:y\n        expr: vector(1)\n")
	if code, body := get(t, e, http.MethodPost, "/prometheus/-/reload"); code != 200 {
		t.Fatalf("reload: %d %s", code, body)
	}
	if got := strings.Join(ruleNames(e), ","); got != "High,x:y" {
		t.Fatalf("rules after reload %s, want High,x:y", got)
	}

	writeRules(t, dir, "app.yml", brokenRule)
	code, body := get(t, e, http.MethodPut, "/prometheus/-/reload")
	if code != http.StatusBadRequest || !strings.Contains(body, path+`:7:15: group "app", rule 2, "Broken": could not parse expression`) ||
		!strings.Contains(body, "the previous rules are kept") {
		t.Fatalf("broken reload: %d %s", code, body)
	}
	if got := strings.Join(ruleNames(e), ","); got != "High,x:y" {
		t.Fatalf("rules after a failed reload %s, want the previous High,x:y", got)
	}
	if got := testutil.ToFloat64(e.lastReload); got != 0 {
		t.Errorf("prometheus_config_last_reload_successful = %g after a failed reload", got)
	}
	if _, body := get(t, e, http.MethodGet, "/prometheus/api/v1/rules"); !strings.Contains(body, `"warnings":["the last load of the rule files failed`) {
		t.Errorf("/rules has no warning about the failed reload: %s", body)
	}

	// A new engine of the same process (a collector reload) with the
	// files still broken runs the last good ones and reports the error;
	// without them it refuses to start.
	e2, err := newEngine(t, env, prometheus.NewRegistry(), e.opts.LastGood, filepath.Join(dir, "*.yml"))
	if err != nil {
		t.Fatalf("restart with broken files and a last good set: %v", err)
	}
	if got := strings.Join(ruleNames(e2), ","); got != "High,x:y" || e2.ReloadError() == nil {
		t.Fatalf("restart: rules %s, error %v; want High,x:y and the error", got, e2.ReloadError())
	}
	if _, err := newEngine(t, env, prometheus.NewRegistry(), NewLastGood(), filepath.Join(dir, "*.yml")); err == nil ||
		!strings.Contains(err.Error(), `"Broken"`) {
		t.Fatalf("first start with broken files: %v, want the error", err)
	}

	writeRules(t, dir, "app.yml", highRule)
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(e.lastReload); got != 1 || e.ReloadError() != nil {
		t.Errorf("after a good reload: gauge %g, error %v", got, e.ReloadError())
	}
}

// TestLoadFilesErrors: every problem names the file, the line:column,
// the group, the rule's index and name.
func TestLoadFilesErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, content string
		want          []string
	}{
		{"bad expression", brokenRule, []string{`bad expression.yml:7:15: group "app", rule 2, "Broken": could not parse expression`}},
		{"bad template", "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          s: '{{ $value '\n",
			[]string{`bad template.yml: group "g", rule 1, "A": annotation "s": template: __alert_A:1: unclosed action`}},
		{"duplicate group", "groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n",
			[]string{`duplicate group.yml: groupname: "g" is repeated in the same file`}},
		{"yaml", "groups:\n  - name: g\n   rules: [\n", []string{`yaml.yml: yaml: line 1: did not find expected '-' indicator`}},
		{"unknown field", "groups:\n  - name: g\n    rulez: []\n", []string{`unknown field.yml: yaml: unmarshal errors:`, "field rulez not found"}},
		{"record and alert", "groups:\n  - name: g\n    rules:\n      - record: a\n        alert: b\n        expr: up\n",
			[]string{`record and alert.yml:4:17: 5:16: group "g", rule 1, "b": only one of 'record' and 'alert' must be set`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeRules(t, dir, c.name+".yml", c.content)
			_, err := LoadFiles([]string{p}, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), "rule file "+filepath.Join(dir, "")) || !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if f, err := LoadFiles([]string{filepath.Join(dir, "none-*.yml")}, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler)); err != nil || !f.Empty() {
		t.Errorf("a glob matching nothing: %v, %v; want no files, no error (as Prometheus)", f, err)
	}
	if _, err := LoadFiles([]string{"[x"}, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a malformed glob is accepted")
	}
}
