package targetinfo

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/store"
)

func TestLabels(t *testing.T) {
	for _, tc := range []struct {
		name  string
		attrs map[string]string
		want  string // "" for no series
	}{
		{"service only", map[string]string{"service.name": "api", "service.instance.id": "i1"}, ""},
		{"no attributes", nil, ""},
		{"pod", map[string]string{"service.name": "api", "service.namespace": "shop", "service.instance.id": "i1", "k8s.pod.name": "p1"},
			`{__name__="target_info", instance="i1", job="shop/api", k8s_pod_name="p1"}`},
		{"no service", map[string]string{"host.name": "h"}, `{__name__="target_info", host_name="h"}`},
		{"shared label name joined", map[string]string{"a.b": "1", "a_b": "2"}, `{__name__="target_info", a_b="1;2"}`},
		{"reserved names left out", map[string]string{"job": "x", "instance": "y", "__name__": "z", "os.type": "linux"},
			`{__name__="target_info", os_type="linux"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lset, ok := Labels(tc.attrs)
			if got := lset.String(); ok != (tc.want != "") || ok && got != tc.want {
				t.Errorf("Labels(%v) = %s, %v; want %q", tc.attrs, got, ok, tc.want)
			}
		})
	}
}

// fakeResources serves fixed resources and counts the reads.
type fakeResources struct {
	res   []store.MetricResource
	reads int
	err   error
}

func (f *fakeResources) MetricResources(context.Context, time.Time, time.Time) ([]store.MetricResource, error) {
	f.reads++
	return f.res, f.err
}

type emptyQueryable struct{}

func (emptyQueryable) Querier(int64, int64) (storage.Querier, error) {
	return storage.NoopQuerier(), nil
}

func TestSelect(t *testing.T) {
	t1, t2 := time.UnixMilli(60_000), time.UnixMilli(120_000)
	f := &fakeResources{res: []store.MetricResource{
		{Attributes: map[string]string{"service.name": "api", "k8s.pod.name": "p2"}, Times: []time.Time{t1}},
		{Attributes: map[string]string{"service.name": "api", "k8s.pod.name": "p1"}, Times: []time.Time{t1, t2}},
		{Attributes: map[string]string{"service.name": "api", "k8s.pod.name": "p1", "": "x"}, Times: []time.Time{t2}},
		{Attributes: map[string]string{"service.name": "db"}, Times: []time.Time{t1}},
	}}
	q, err := NewQueryable(emptyQueryable{}, f).Querier(0, 200_000)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	eq := func(n, v string) *labels.Matcher { return labels.MustNewMatcher(labels.MatchEqual, n, v) }
	for _, tc := range []struct {
		name  string
		ms    []*labels.Matcher
		want  map[string][]int64
		reads int
	}{
		{"all", []*labels.Matcher{eq("__name__", "target_info")}, map[string][]int64{
			`{__name__="target_info", job="api", k8s_pod_name="p1"}`: {60_000, 120_000},
			`{__name__="target_info", job="api", k8s_pod_name="p2"}`: {60_000},
		}, 1},
		{"by label", []*labels.Matcher{eq("__name__", "target_info"), eq("k8s_pod_name", "p2")}, map[string][]int64{
			`{__name__="target_info", job="api", k8s_pod_name="p2"}`: {60_000},
		}, 1},
		{"other name: store not read", []*labels.Matcher{eq("__name__", "up")}, map[string][]int64{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.reads = 0
			got := map[string][]int64{}
			var prev labels.Labels
			ss := q.Select(context.Background(), true, nil, tc.ms...)
			for ss.Next() {
				s := ss.At()
				if labels.Compare(prev, s.Labels()) >= 0 {
					t.Errorf("series not sorted: %s after %s", s.Labels(), prev)
				}
				prev = s.Labels()
				it := s.Iterator(nil)
				for it.Next() != 0 {
					ts, v := it.At()
					if v != 1 {
						t.Errorf("%s: value %v", s.Labels(), v)
					}
					got[s.Labels().String()] = append(got[s.Labels().String()], ts)
				}
			}
			if err := ss.Err(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) || f.reads != tc.reads {
				t.Errorf("got %v (%d reads), want %v (%d)", got, f.reads, tc.want, tc.reads)
			}
		})
	}
	names, _, err := q.LabelValues(context.Background(), "k8s_pod_name", nil)
	if err != nil || !reflect.DeepEqual(names, []string{"p1", "p2"}) {
		t.Errorf("LabelValues = %v, %v", names, err)
	}
	f.err = errors.New("boom")
	if ss := q.Select(context.Background(), true, nil, eq("__name__", "target_info")); ss.Next() || ss.Err() == nil {
		t.Error("a store error was not reported")
	}
}
