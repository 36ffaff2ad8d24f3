package storetest

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// normalize makes values comparable across backends: every integer kind
// becomes int64 (uint64 above MaxInt64 stays uint64), float32 float64,
// times UTC, slices []any of normalized elements.
func normalize(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case uint:
		return normalize(uint64(x))
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x <= 1<<63-1 {
			return int64(x)
		}
		return x
	case float32:
		return float64(x)
	case time.Time:
		return x.UTC()
	case map[string]string:
		if x == nil {
			return map[string]string{}
		}
		return x
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalize(rv.Index(i).Interface())
		}
		return out
	}
	return v
}

func equalValue(got, want any) bool {
	g, w := normalize(got), normalize(want)
	if gt, ok := g.(time.Time); ok {
		wt, ok := w.(time.Time)
		return ok && gt.Equal(wt)
	}
	if gs, ok := g.([]any); ok {
		ws, ok := w.([]any)
		if !ok || len(gs) != len(ws) {
			return false
		}
		for i := range gs {
			if !equalValue(gs[i], ws[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(g, w)
}

// checkRow fails t for every column of want that row lacks or holds a
// different value in.
func checkRow(t *testing.T, what string, row store.Row, want map[string]any) {
	t.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		got, ok := row[k]
		if !ok {
			t.Errorf("%s: column %s missing (have %s)", what, k, strings.Join(rowKeys(row), ", "))
			continue
		}
		if !equalValue(got, want[k]) {
			t.Errorf("%s: %s = %s, want %s", what, k, show(got), show(want[k]))
		}
	}
}

func show(v any) string { return fmt.Sprintf("%#v", v) }

func rowKeys(r store.Row) []string {
	out := make([]string, 0, len(r))
	for k := range r {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
