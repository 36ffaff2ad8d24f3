package duckdb

import (
	"fmt"
	"regexp"

	"github.com/overlook-dev/overlook/internal/store"
)

// seriesFilter compiles the filters of fs on the attribute maps into a
// predicate on a series' identity (nil when there are none). The maps are
// the same in every row of a series, so filtering series is exact, and
// cheaper than filtering rows in SQL, which decodes every row's maps.
// Semantics are those of the SQL they replace: a missing key reads as "";
// Attributes without a Key matches when some value does; regexes are RE2
// and must match the whole value.
func seriesFilter(fs []store.MetricFilter) (func(*store.MetricSeries) bool, error) {
	type cond struct {
		res, any bool
		key, val string
		re       *regexp.Regexp
	}
	var conds []cond
	for _, f := range fs {
		if f.Column != "ResourceAttributes" && f.Column != "Attributes" {
			continue
		}
		c := cond{res: f.Column == "ResourceAttributes", any: f.Column == "Attributes" && f.Key == "", key: f.Key, val: f.Value}
		if f.Regex {
			re, err := regexp.Compile("^(?:" + f.Value + ")$")
			if err != nil {
				return nil, fmt.Errorf("%w: filter on %s: %w", store.ErrInvalidArgument, f.Column, err)
			}
			c.re = re
		}
		conds = append(conds, c)
	}
	if len(conds) == 0 {
		return nil, nil
	}
	return func(ms *store.MetricSeries) bool {
		for _, c := range conds {
			ok := func(v string) bool {
				if c.re != nil {
					return c.re.MatchString(v)
				}
				return v == c.val
			}
			switch {
			case c.any:
				found := false
				for _, v := range ms.Attributes {
					if ok(v) {
						found = true
						break
					}
				}
				if !found {
					return false
				}
			case c.res:
				if !ok(ms.ResourceAttributes[c.key]) {
					return false
				}
			default:
				if !ok(ms.Attributes[c.key]) {
					return false
				}
			}
		}
		return true
	}, nil
}
