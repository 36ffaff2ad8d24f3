package targets

import (
	"reflect"
	"testing"

	"github.com/prometheus/prometheus/scrape"
)

type fakeSource struct {
	active, dropped map[string][]*scrape.Target
	counts          map[string]int
}

func (f *fakeSource) TargetsActive() map[string][]*scrape.Target  { return f.active }
func (f *fakeSource) TargetsDropped() map[string][]*scrape.Target { return f.dropped }
func (f *fakeSource) TargetsDroppedCounts() map[string]int        { return f.counts }

func TestRegistry(t *testing.T) {
	t1, t2, t3 := &scrape.Target{}, &scrape.Target{}, &scrape.Target{}
	a := &fakeSource{active: map[string][]*scrape.Target{"temporal": {t1}}, counts: map[string]int{"temporal": 1}}
	b := &fakeSource{active: map[string][]*scrape.Target{"temporal": {t2}, "node": {t3}}, counts: map[string]int{"temporal": 2}}
	r := NewRegistry()
	r.Add("prometheus/a", a)
	r.Add("prometheus/b", b)
	if got := r.TargetsActive(); len(got["temporal"]) != 2 || got["temporal"][0] != t1 || got["temporal"][1] != t2 || len(got["node"]) != 1 {
		t.Errorf("active = %v", got)
	}
	if got := r.TargetsDroppedCounts(); got["temporal"] != 3 {
		t.Errorf("dropped counts = %v", got)
	}
	if got := r.Receivers(); !reflect.DeepEqual(got, []string{"prometheus/a", "prometheus/b"}) {
		t.Errorf("receivers = %v", got)
	}
	r.Remove("prometheus/a", b) // not its source: kept
	r.Remove("prometheus/b", b)
	if got := r.Receivers(); !reflect.DeepEqual(got, []string{"prometheus/a"}) {
		t.Errorf("after remove: %v", got)
	}
	if got := r.TargetsDropped(); len(got) != 0 {
		t.Errorf("dropped = %v", got)
	}
}
