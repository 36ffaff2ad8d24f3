package overrides

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// putN puts keys k00..k(n-1), in reverse order when rev.
func putN(m pcommon.Map, n int, rev bool) {
	for i := range n {
		if rev {
			i = n - 1 - i
		}
		m.PutStr(fmt.Sprintf("k%02d", i), "v")
	}
}

func keysOf(m pcommon.Map) []string {
	var ks []string
	for k := range m.All() {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestTrimMetrics: every map is cut to exactly max attributes, the first
// max keys in byte order whatever the order sent; resource and scope drops
// are added to their DroppedAttributesCount; the return value counts every
// drop.
func TestTrimMetrics(t *testing.T) {
	const rev, fwd = true, false
	for _, tc := range []struct {
		name                  string
		max, res, scope, pt   int
		wantDropped, wantRes  int
		wantScope, wantPoints int
	}{
		{"over everywhere", 3, 10, 5, 7, 7 + 2 + 4*5, 3, 3, 3},
		{"at the limit", 3, 3, 3, 3, 0, 3, 3, 3},
		{"no limit", 0, 10, 5, 7, 0, 10, 5, 7},
		{"limit 1", 1, 2, 0, 10, 1 + 9*5, 1, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := pmetric.NewMetrics()
			rm := md.ResourceMetrics().AppendEmpty()
			putN(rm.Resource().Attributes(), tc.res, rev)
			rm.Resource().SetDroppedAttributesCount(2)
			sm := rm.ScopeMetrics().AppendEmpty()
			putN(sm.Scope().Attributes(), tc.scope, fwd)
			ms := sm.Metrics()
			// One point of every type: 5 points.
			m := ms.AppendEmpty()
			putN(m.SetEmptyGauge().DataPoints().AppendEmpty().Attributes(), tc.pt, rev)
			m = ms.AppendEmpty()
			putN(m.SetEmptySum().DataPoints().AppendEmpty().Attributes(), tc.pt, fwd)
			m = ms.AppendEmpty()
			putN(m.SetEmptyHistogram().DataPoints().AppendEmpty().Attributes(), tc.pt, rev)
			m = ms.AppendEmpty()
			putN(m.SetEmptyExponentialHistogram().DataPoints().AppendEmpty().Attributes(), tc.pt, fwd)
			m = ms.AppendEmpty()
			putN(m.SetEmptySummary().DataPoints().AppendEmpty().Attributes(), tc.pt, rev)

			if got := TrimMetrics(md, tc.max); got != tc.wantDropped {
				t.Errorf("dropped %d, want %d", got, tc.wantDropped)
			}
			if got := rm.Resource().Attributes().Len(); got != tc.wantRes {
				t.Errorf("resource has %d attributes, want %d", got, tc.wantRes)
			}
			if got, want := rm.Resource().DroppedAttributesCount(), uint32(2+tc.res-tc.wantRes); got != want {
				t.Errorf("resource DroppedAttributesCount %d, want %d", got, want)
			}
			if got, want := sm.Scope().DroppedAttributesCount(), uint32(tc.scope-tc.wantScope); got != want {
				t.Errorf("scope DroppedAttributesCount %d, want %d", got, want)
			}
			want := []string(nil)
			for i := range tc.wantPoints {
				want = append(want, fmt.Sprintf("k%02d", i))
			}
			for i, p := range []pcommon.Map{
				ms.At(0).Gauge().DataPoints().At(0).Attributes(), ms.At(1).Sum().DataPoints().At(0).Attributes(),
				ms.At(2).Histogram().DataPoints().At(0).Attributes(), ms.At(3).ExponentialHistogram().DataPoints().At(0).Attributes(),
				ms.At(4).Summary().DataPoints().At(0).Attributes(),
			} {
				if got := keysOf(p); !slices.Equal(got, want) {
					t.Errorf("point %d keeps %v, want %v", i, got, want)
				}
			}
		})
	}
}

// FuzzTrimMetrics: whatever the keys (duplicates included), a trimmed map
// holds at most max entries and the drops add up.
func FuzzTrimMetrics(f *testing.F) {
	f.Add("a,b,c,d", 2)
	f.Add("b,b,a,a,c", 1)
	f.Add("", 3)
	f.Fuzz(func(t *testing.T, keys string, max int) {
		if max > 64 || max < -1 {
			return
		}
		// Decoded from the wire, so duplicate keys stay duplicates.
		var kvs []string
		for k := range splitComma(keys) {
			b, _ := json.Marshal(k)
			kvs = append(kvs, fmt.Sprintf(`{"key":%s,"value":{"stringValue":"v"}}`, b))
		}
		doc := `{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{"asDouble":1,"attributes":[` +
			strings.Join(kvs, ",") + `]}]}}]}]}]}`
		md, err := (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics([]byte(doc))
		if err != nil {
			return
		}
		attrs := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0).Attributes()
		before := attrs.Len()
		dropped := TrimMetrics(md, max)
		if max > 0 && attrs.Len() > max {
			t.Fatalf("%d attributes left, max %d", attrs.Len(), max)
		}
		if before-attrs.Len() != dropped {
			t.Fatalf("dropped %d, map shrank by %d", dropped, before-attrs.Len())
		}
	})
}

func splitComma(s string) func(func(string) bool) {
	return func(yield func(string) bool) {
		start := 0
		for i := 0; i <= len(s); i++ {
			if i == len(s) || s[i] == ',' {
				if !yield(s[start:i]) {
					return
				}
				start = i + 1
			}
		}
	}
}
