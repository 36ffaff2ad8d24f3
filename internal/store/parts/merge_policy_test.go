package parts

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func policyTable(mergeRows int, rows ...int64) *Table {
	t := &Table{cfg: Config{MergeRows: mergeRows}}
	for i, r := range rows {
		t.parts = append(t.parts, &livePart{meta: &PartMeta{First: i + 1, Last: i + 1, Rows: r}})
	}
	t.segNo = len(rows) + 1
	return t
}

func groupRows(g []*livePart) []int64 {
	var out []int64
	for _, p := range g {
		out = append(out, p.meta.Rows)
	}
	return out
}

func TestMergeGroup(t *testing.T) {
	tests := []struct {
		name string
		rows []int64
		want []int64
	}{
		{"one part", []int64{50}, nil},
		{"two equal: ratio 2, too little", []int64{50, 50}, nil},
		{"three equal", []int64{50, 50, 50}, []int64{50, 50, 50}},
		{"eight at most", []int64{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, []int64{10, 10, 10, 10, 10, 10, 10, 10}},
		{"output within MergeRows", []int64{400, 400, 400}, nil},
		{"big part left alone", []int64{900, 50, 50, 50}, []int64{50, 50, 50}},
		{"a tiny part is absorbed", []int64{50, 1, 50, 50}, []int64{50, 1, 50, 50}},
		{"decreasing sizes stay", []int64{400, 200, 100, 50}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := groupRows(policyTable(1000, tt.rows...).mergeGroupLocked())
			if !slices.Equal(got, tt.want) {
				t.Fatalf("group %v, want %v", got, tt.want)
			}
		})
	}
	// A pending part bounds the candidates.
	tb := policyTable(1000, 10, 10, 10)
	tb.pending = []*flushJob{{no: 2}}
	if g := tb.mergeGroupLocked(); g != nil {
		t.Fatalf("merged across a pending part: %v", groupRows(g))
	}
}

// TestMergePolicyBounds simulates steady ingest (parts of 50k rows and,
// in between, tiny parts cut by Snapshot) with the defaults: the part
// count stays bounded and each row is rewritten a few times.
func TestMergePolicyBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tb := policyTable(1_000_000)
	var ingested, written int64
	maxSmall := 0
	for i := range 4000 {
		rows := int64(50_000)
		if r.IntN(3) == 0 {
			rows = int64(1 + r.IntN(2000))
		}
		ingested += rows
		written += rows
		tb.parts = append(tb.parts, &livePart{meta: &PartMeta{First: i + 1, Last: i + 1, Rows: rows}})
		tb.segNo = i + 2
		for {
			g := tb.mergeGroupLocked()
			if g == nil {
				break
			}
			m := &PartMeta{First: g[0].meta.First, Last: g[len(g)-1].meta.Last}
			for _, p := range g {
				m.Rows += p.meta.Rows
			}
			written += m.Rows
			at := slices.Index(tb.parts, g[0])
			tb.parts = slices.Replace(tb.parts, at, at+len(g), &livePart{meta: m})
		}
		small := 0
		for _, p := range tb.parts {
			if p.meta.Rows < 500_000 {
				small++
			}
		}
		maxSmall = max(maxSmall, small)
	}
	amp := float64(written) / float64(ingested)
	t.Logf("parts %d, at most %d small, write amplification %.2f", len(tb.parts), maxSmall, amp)
	if maxSmall > maxSmallParts+1 {
		t.Errorf("%d small parts at once, want at most %d", maxSmall, maxSmallParts+1)
	}
	if amp > 5 {
		t.Errorf("write amplification %.2f, want ≤ 5", amp)
	}
}
