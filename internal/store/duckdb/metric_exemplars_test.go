package duckdb

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

func TestSelectExemplars(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	if err := s.InsertMetrics(context.Background(), storetest.ExemplarMetrics(t0)); err != nil {
		t.Fatal(err)
	}
	ns := func(d time.Duration) int64 { return t0.Add(d).UnixNano() }
	exA := store.Exemplar{Time: ns(-70 * time.Second), Value: 1, TraceID: "01000000000000000000000000000001",
		SpanID: "0200000000000002", Attributes: map[string]string{"user": "u1"}}
	exB := store.Exemplar{Time: ns(-10 * time.Second), Value: 2, TraceID: "03000000000000000000000000000003",
		SpanID: "0400000000000004", Attributes: map[string]string{}}
	bounds := []float64{0.1, 1}
	hist := []store.Exemplar{
		{Time: ns(-30 * time.Second), Value: 0.05, TraceID: "05000000000000000000000000000005", SpanID: "0600000000000006",
			Attributes: map[string]string{}, Bounds: bounds},
		{Time: ns(-20 * time.Second), Value: 0.5, TraceID: "07000000000000000000000000000007", SpanID: "0800000000000008",
			Attributes: map[string]string{}, Bounds: bounds},
		{Time: ns(-5 * time.Second), Value: 5, Attributes: map[string]string{}, Bounds: bounds},
	}
	sumInfo := store.MetricInfo{Kind: store.MetricSum, Name: "requests", IsMonotonic: true, Temporality: 2}
	tests := []struct {
		name       string
		p          store.ExemplarSelectParams
		info       store.MetricInfo
		want       []store.Exemplar // of the only series; nil: no series
		wantN      int              // when want is nil and series are expected: the exemplar count
		wantErrArg bool
	}{
		{name: "sum, repeated exemplar kept once",
			p:    store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0},
			info: sumInfo, want: []store.Exemplar{exA, exB}},
		{name: "exemplar time bounds the range",
			p:    store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-15 * time.Second), End: t0},
			info: sumInfo, want: []store.Exemplar{exB}},
		{name: "points after end carry earlier exemplars",
			p:    store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0.Add(-30 * time.Second)},
			info: sumInfo, want: []store.Exemplar{exA}},
		{name: "attribute filter",
			p: store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0,
				Filters: []store.MetricFilter{{Column: "Attributes", Key: "http.route", Value: "/other"}}}},
		{name: "service filter",
			p: store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0,
				Filters: []store.MetricFilter{{Column: "ServiceName", Value: "checkout"}}},
			info: sumInfo, want: []store.Exemplar{exA, exB}},
		{name: "limit",
			p:    store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0, Limit: 1},
			info: sumInfo, wantN: 1},
		{name: "histogram exemplars carry the bounds",
			p:    store.ExemplarSelectParams{Kind: store.MetricHistogram, Names: []string{"latency"}, Start: t0.Add(-5 * time.Minute), End: t0},
			info: store.MetricInfo{Kind: store.MetricHistogram, Name: "latency", Temporality: 1}, want: hist},
		{name: "gauge",
			p:    store.ExemplarSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"}, Start: t0.Add(-5 * time.Minute), End: t0},
			info: store.MetricInfo{Kind: store.MetricGauge, Name: "temperature"},
			want: []store.Exemplar{{Time: ns(-time.Second), Value: 21, TraceID: "09000000000000000000000000000009",
				SpanID: "0900000000000009", Attributes: map[string]string{}}}},
		{name: "other name",
			p: store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"latency"}, Start: t0.Add(-5 * time.Minute), End: t0}},
		{name: "summaries have none",
			p: store.ExemplarSelectParams{Kind: store.MetricSummary, Names: []string{"x"}, Start: t0.Add(-5 * time.Minute), End: t0}},
		{name: "no names", p: store.ExemplarSelectParams{Kind: store.MetricSum, Start: t0, End: t0}, wantErrArg: true},
		{name: "no range", p: store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}}, wantErrArg: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SelectExemplars(context.Background(), tt.p)
			if tt.wantErrArg {
				if !errors.Is(err, store.ErrInvalidArgument) {
					t.Fatalf("err = %v, want ErrInvalidArgument", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil && tt.wantN == 0 {
				if len(got) != 0 {
					t.Fatalf("got %+v, want nothing", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d series, want 1: %+v", len(got), got)
			}
			se := got[0].Series
			if se.Info != tt.info || se.ServiceName != "checkout" || se.ResourceAttributes["service.instance.id"] != "i-1" {
				t.Errorf("series = %+v", se)
			}
			if tt.wantN > 0 {
				if len(got[0].Exemplars) != tt.wantN {
					t.Errorf("got %d exemplars, want %d", len(got[0].Exemplars), tt.wantN)
				}
				return
			}
			if !reflect.DeepEqual(got[0].Exemplars, tt.want) {
				t.Errorf("exemplars\n got %+v\nwant %+v", got[0].Exemplars, tt.want)
			}
		})
	}
}
