package duckdb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

// orderBatch is a batch of points of series [0, nseries) at steps
// [from, from+npoints), timestamp by timestamp (as scrapes write them) or
// series by series; val gives each point's value.
type orderBatch struct {
	from, npoints int
	seriesMajor   bool
	val           float64 // added to the step
}

func writeOrderBatch(t testing.TB, s *Store, nseries int, b orderBatch) {
	t.Helper()
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "svc")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("x")
	dps := m.SetEmptyGauge().DataPoints()
	for a := range nseries * b.npoints {
		k, i := a%nseries, a/nseries
		if b.seriesMajor {
			k, i = a/b.npoints, a%b.npoints
		}
		dp := dps.AppendEmpty()
		dp.Attributes().PutStr("k", fmt.Sprint(k))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(b.from+i) * 15 * time.Second)))
		dp.SetDoubleValue(b.val + float64(b.from+i))
	}
	if err := s.InsertMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
}

// timeDescents counts the rows of the gauge table, in rowid order, whose
// time is before the previous row's.
func timeDescents(t testing.TB, s *Store) int {
	t.Helper()
	n, prev := 0, int64(0)
	err := s.rawRead(context.Background(), func(r *rawReader) error {
		return r.query("SELECT epoch_ns(TimeUnix) FROM otel_metrics_gauge ORDER BY rowid", nil, func(ch *rawChunk) error {
			for _, ts := range fixed[int64](ch.vec(0), ch.n) {
				if ts < prev {
					n++
				}
				prev = ts
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMetricsWriteOrder: the metrics writer stores a batch's rows in the
// order appended (a timestamp-major batch of many chunks stays in time
// order in the table), where a connection without insertion order — the
// writer of older versions — stores it out of order; SelectMetrics reads
// both layouts to the same series: each series' points in time order,
// points of equal times in the order written (later batches after), with
// batches written out of time order, overlapping, and repeating times,
// before and after a checkpoint.
func TestMetricsWriteOrder(t *testing.T) {
	const nseries = 200
	bs := []orderBatch{
		{from: 240, npoints: 240},                   // 48k rows: 24 chunks
		{from: 0, npoints: 240},                     // before the first
		{from: 480, npoints: 60, seriesMajor: true}, // series by series
		{from: 500, npoints: 30, val: 0.5},          // overlapping, repeating times of the last
		{from: 100, npoints: 1, val: 0.25},          // a late point per series
	}
	// want: per series, the points as a stable sort by time of the
	// points in the order written.
	type pt struct {
		t int64
		v float64
	}
	var want []pt
	for _, b := range bs {
		for i := range b.npoints {
			want = append(want, pt{t0.Add(time.Duration(b.from+i) * 15 * time.Second).UnixNano(), b.val + float64(b.from+i)})
		}
	}
	slices.SortStableFunc(want, func(a, b pt) int { return cmp.Compare(a.t, b.t) })
	for _, tc := range []struct {
		name string
		old  bool // written as older versions did
	}{{"written in order", false}, {"written by older versions", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := openMetricStore(t)
			if tc.old {
				for _, c := range s.metrics.cs {
					if err := c.conn.exec("SET SESSION preserve_insertion_order = false"); err != nil {
						t.Fatal(err)
					}
				}
			}
			writeOrderBatch(t, s, nseries, bs[0])
			if d := timeDescents(t, s); (d > 0) != tc.old {
				t.Fatalf("one timestamp-major batch: %d rows stored before an earlier one; older versions: %v", d, tc.old)
			}
			for _, b := range bs[1:] {
				writeOrderBatch(t, s, nseries, b)
			}
			for _, checkpoint := range []bool{false, true} {
				if checkpoint {
					if _, err := s.db.Exec("CHECKPOINT"); err != nil {
						t.Fatal(err)
					}
				}
				got, err := s.SelectMetrics(context.Background(), store.MetricSelectParams{Kind: store.MetricGauge,
					Names: []string{"x"}, Start: t0, End: t0.Add(24 * time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != nseries {
					t.Fatalf("checkpoint %v: %d series, want %d", checkpoint, len(got), nseries)
				}
				for _, ms := range got {
					if len(ms.Times) != len(want) || len(ms.Values) != len(want) {
						t.Fatalf("checkpoint %v: series %s: %d points, want %d", checkpoint, ms.Attributes["k"], len(ms.Times), len(want))
					}
					for i, w := range want {
						if ms.Times[i] != w.t || ms.Values[i] != w.v {
							t.Fatalf("checkpoint %v: series %s point %d: (%d, %v), want (%d, %v)",
								checkpoint, ms.Attributes["k"], i, ms.Times[i], ms.Values[i], w.t, w.v)
						}
					}
				}
			}
		})
	}
}

// BenchmarkInsertMetricsOrder inserts batches of 1000 series (the shape of
// bench/query -metrics: 10 points of each series, series by series; and
// timestamp by timestamp: 10 timestamps of every series) with the metrics
// writer keeping each batch's order (as it does) and without (as older
// versions did), and reports process CPU per million points: the cost of
// the ordered insert.
//
//	go test ./internal/store/duckdb -run '^$' -bench InsertMetricsOrder -benchtime 100x
func BenchmarkInsertMetricsOrder(b *testing.B) {
	for _, shape := range []struct {
		name        string
		seriesMajor bool
	}{{"series_by_series", true}, {"timestamp_by_timestamp", false}} {
		for _, kept := range []bool{true, false} {
			name := shape.name + "/order_kept"
			if !kept {
				name = shape.name + "/unordered"
			}
			b.Run(name, func(b *testing.B) {
				s := openMetricStore(b)
				if !kept {
					for _, c := range s.metrics.cs {
						if err := c.conn.exec("SET SESSION preserve_insertion_order = false"); err != nil {
							b.Fatal(err)
						}
					}
				}
				const nseries, npoints = 1000, 10
				b.ResetTimer()
				cpu0 := cpuTime()
				for i := range b.N {
					writeOrderBatch(b, s, nseries, orderBatch{from: i * npoints, npoints: npoints, seriesMajor: shape.seriesMajor})
				}
				cpu := cpuTime() - cpu0
				b.ReportMetric(float64(cpu.Milliseconds())/(float64(b.N)*nseries*npoints/1e6), "cpu-ms/Mpoints")
			})
		}
	}
}
