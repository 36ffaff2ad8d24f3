package parts

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// orderTestBuf fills a partBuf's sort index with n rows of svcs services
// over span from 9:40, with ties: few distinct timestamps and trace IDs, so
// that the arrival order of equal rows decides.
func orderTestBuf(n, svcs, distinctTS, distinctTID int, span time.Duration, seed uint64) *partBuf {
	r := rand.New(rand.NewPCG(seed, 1))
	p := newPartBuf(n, nil)
	for i := range svcs {
		name := fmt.Sprintf("svc-%03d", svcs-1-i) // ids in reverse name order
		p.svcIDs[name] = uint32(i)
		p.svcNames = append(p.svcNames, name)
	}
	base := time.Date(2026, 12, 7, 9, 40, 0, 0, time.UTC).UnixNano()
	p.rows = make([]rowRef, n)
	for i := range p.rows {
		row := &p.rows[i]
		row.ts = base + int64(r.IntN(distinctTS))*int64(span)/int64(distinctTS)
		row.tid[0] = byte(r.IntN(distinctTID))
		row.tid[15] = byte(r.IntN(3))
		row.svc = uint32(r.IntN(svcs))
		row.off = uint32(i) // tells rows apart
	}
	return p
}

// stableOrder is partOrder's definition: a stable sort by the keys.
func stableOrder(p *partBuf, byTrace bool) []uint32 {
	order := make([]uint32, len(p.rows))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortStableFunc(order, func(i, j uint32) int {
		a, b := &p.rows[i], &p.rows[j]
		if byTrace {
			return cmp.Or(cmp.Compare(hourOf(a.ts), hourOf(b.ts)), bytes.Compare(a.tid[:], b.tid[:]), cmp.Compare(a.ts, b.ts))
		}
		return cmp.Or(cmp.Compare(hourOf(a.ts), hourOf(b.ts)), strings.Compare(p.svcNames[a.svc], p.svcNames[b.svc]), cmp.Compare(a.ts, b.ts))
	})
	return order
}

func TestPartOrderIsStableSort(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		n, svcs, distinctTS, tids int
		span                      time.Duration
	}{
		{"empty", 0, 1, 1, 1, time.Hour},
		{"one row", 1, 1, 1, 1, time.Hour},
		{"all equal", 500, 1, 1, 1, time.Hour},
		{"many ties", 5000, 5, 7, 3, 40 * time.Minute},
		{"few ties", 20000, 23, 100000, 200, 40 * time.Minute},
		{"hours apart", 3000, 7, 50, 3, 100_000 * time.Hour}, // more hours than rows: one group
		{"many services", 300, 400, 10, 3, 3 * time.Hour},    // more groups than rows
	} {
		for _, byTrace := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/traces=%v", tc.name, byTrace), func(t *testing.T) {
				p := orderTestBuf(tc.n, tc.svcs, tc.distinctTS, tc.tids, tc.span, uint64(tc.n))
				got, err := partOrder(p, byTrace)
				if err != nil {
					t.Fatal(err)
				}
				want := stableOrder(p, byTrace)
				if !slices.Equal(got, want) {
					i := 0
					for i < len(got) && got[i] == want[i] {
						i++
					}
					t.Fatalf("order differs from the stable sort first at %d of %d: %d, want %d", i, len(got), got[i], want[i])
				}
			})
		}
	}
}

func BenchmarkPartOrder(b *testing.B) {
	for _, byTrace := range []bool{false, true} {
		b.Run(fmt.Sprintf("traces=%v", byTrace), func(b *testing.B) {
			// A head of 50k rows (PartRows) from 20 services, timestamps in arrival
			// order with jitter (as a live head is).
			p := orderTestBuf(50_000, 20, 1, 256, time.Hour, 7)
			r := rand.New(rand.NewPCG(3, 4))
			base := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).UnixNano()
			for i := range p.rows {
				p.rows[i].ts = base + int64(i)*5_000 + r.Int64N(int64(time.Millisecond))
				binary.LittleEndian.PutUint64(p.rows[i].tid[:], r.Uint64())
				binary.LittleEndian.PutUint64(p.rows[i].tid[8:], r.Uint64())
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := partOrder(p, byTrace); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
