package budget

import "testing"

func TestDefaultGCPercent(t *testing.T) {
	for _, tc := range []struct {
		gogc   string
		want   int
		wantOK bool
	}{
		{"", GCPercent, true},
		{"  ", GCPercent, true},
		{"100", 0, false},
		{"off", 0, false},
	} {
		got, ok := DefaultGCPercent(func(k string) string {
			if k == "GOGC" {
				return tc.gogc
			}
			return ""
		})
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("GOGC=%q: got (%d, %v), want (%d, %v)", tc.gogc, got, ok, tc.want, tc.wantOK)
		}
	}
	if GCPercent >= 100 {
		t.Errorf("GCPercent = %d: it must be below Go's default 100 (issue 10's peak RSS)", GCPercent)
	}
}
