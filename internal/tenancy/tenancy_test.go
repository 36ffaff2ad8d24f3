package tenancy

import (
	"context"
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "a", want: []string{"a"}},
		{in: "a|b", want: []string{"a", "b"}},
		{in: "a|b|a", want: []string{"a", "b"}},
		{in: " team-1 | team_2.x ", want: []string{"team-1", "team_2.x"}},
		{in: "", wantErr: true},
		{in: "a|", wantErr: true},
		{in: "../etc", wantErr: true},
		{in: ".hidden", wantErr: true},
		{in: "a/b", wantErr: true},
		{in: "x" + string(make([]byte, 64)), wantErr: true},
	} {
		got, err := Split(tc.in)
		if (err != nil) != tc.wantErr || !slices.Equal(got, tc.want) {
			t.Errorf("Split(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestContext(t *testing.T) {
	if _, ok := From(context.Background()); ok {
		t.Fatal("a bare context carries no tenant")
	}
	if got, ok := From(With(context.Background(), "a")); !ok || got != "a" {
		t.Fatalf("From(With(a)) = %q, %v", got, ok)
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"a", "a|b", "", "../x", "a||b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := Split(s)
		if err != nil {
			return
		}
		for _, x := range ts {
			if Validate(x) != nil || x == "." || x == ".." {
				t.Fatalf("Split(%q) returned invalid tenant %q", s, x)
			}
		}
	})
}
