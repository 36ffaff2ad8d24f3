package rules

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	promrules "github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/prom/promstorage"
	"github.com/overlook-dev/overlook/internal/promapi"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

// testEnv is a DuckDB store with the /prometheus API's query engine and
// queryable over it: what the rules engine runs on in the server.
type testEnv struct {
	st  *duckdb.Store
	api *promapi.Handler
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	h := promapi.New(promapi.Options{Prefix: "/prometheus", Reader: st, Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(func() {
		_ = h.Close()
		_ = st.Close()
	})
	return &testEnv{st: st, api: h}
}

// load appends series in promqltest notation ("name{l="v"} 0+1x10 _ 5"),
// sample i at start + i*step.
func (e *testEnv) load(t testing.TB, start time.Time, step time.Duration, series ...string) {
	t.Helper()
	app := promstorage.NewAppendable(e.st).AppenderV2(context.Background())
	for _, s := range series {
		ls, vals, err := parser.NewParser(parser.Options{}).ParseSeriesDesc(s)
		if err != nil {
			t.Fatalf("series %q: %v", s, err)
		}
		for i, v := range vals {
			if v.Omitted {
				continue
			}
			ts := start.Add(time.Duration(i) * step).UnixMilli()
			if _, err := app.Append(0, ls, 0, ts, v.Value, nil, nil, storage.AppendV2Options{}); err != nil {
				t.Fatalf("append %s: %v", s, err)
			}
		}
	}
	if err := app.Commit(); err != nil {
		t.Fatalf("commit series: %v", err)
	}
}

// notification is what the rules engine handed the notifier.
type notification struct {
	alertname          string
	labels             labels.Labels
	startsAt, endsAt   time.Time
	resolved           bool
	generatorURLSuffix string
}

// recorder collects notifications (the NotifyFunc of the manager).
type recorder struct {
	mu    sync.Mutex
	notes []notification
}

func (r *recorder) notify(_ context.Context, _ string, alerts ...*promrules.Alert) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range alerts {
		r.notes = append(r.notes, notification{alertname: a.Labels.Get(labels.AlertName), labels: a.Labels,
			startsAt: a.FiredAt, endsAt: a.ResolvedAt, resolved: !a.ResolvedAt.IsZero()})
	}
}

func (r *recorder) of(name string) []notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []notification
	for _, n := range r.notes {
		if n.alertname == name {
			out = append(out, n)
		}
	}
	return out
}

// manager returns a rules manager over the environment, evaluating files,
// with the rule groups loaded (not running: the test drives Group.Eval).
func (e *testEnv) manager(t testing.TB, rec *recorder, grace time.Duration, interval time.Duration, files ...string) (*promrules.ManagerOptions, map[string]*promrules.Group) {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	snap, err := LoadFiles(files, e.api.Parser(), logger)
	if err != nil {
		t.Fatalf("load rule files: %v", err)
	}
	l := &loader{parser: e.api.Parser(), logger: logger}
	l.files.Store(snap)
	opts := &promrules.ManagerOptions{
		QueryFunc:              promrules.EngineQueryFunc(e.api.QueryEngine(), e.api.Queryable()),
		NotifyFunc:             rec.notify,
		Context:                context.Background(),
		Appendable:             appendable{promstorage.NewAppendable(e.st)},
		Queryable:              e.api.Queryable(),
		Logger:                 logger,
		OutageTolerance:        time.Hour,
		ForGracePeriod:         grace,
		ResendDelay:            time.Minute,
		GroupLoader:            l,
		DefaultRuleQueryOffset: func() time.Duration { return 0 },
		Parser:                 e.api.Parser(),
	}
	m := promrules.NewManager(opts)
	groups, errs := m.LoadGroups(interval, labels.EmptyLabels(), "http://overlook.test:8080", nil, false, snap.Paths...)
	if len(errs) > 0 {
		t.Fatalf("load groups: %v", errs)
	}
	return opts, groups
}

// alone returns a group evaluating only rule r of g, with g's settings.
func alone(g *promrules.Group, r promrules.Rule, opts *promrules.ManagerOptions) *promrules.Group {
	return promrules.NewGroup(promrules.GroupOptions{Name: g.Name(), File: g.File(), Interval: g.Interval(),
		Limit: g.Limit(), Rules: []promrules.Rule{r}, Opts: opts})
}

// groupOf returns the group holding the rule named name.
func groupOf(t testing.TB, groups map[string]*promrules.Group, name string) (*promrules.Group, promrules.Rule) {
	t.Helper()
	for _, g := range groups {
		for _, r := range g.Rules() {
			if r.Name() == name {
				return g, r
			}
		}
	}
	t.Fatalf("no rule %q", name)
	return nil, nil
}
