package query

import (
	"slices"
	"time"
)

// CountShape reports whether the chart is a plain row count of logs or
// traces: one count() select without a where of its own, no chart where,
// not a ratio or heatmap, grouped by nothing or by bare columns among
// ServiceName and the level column (StatusCode for traces, SeverityText
// for logs), each at most once; groups are those columns in the chart's
// order. step is the bucket width (0: one value over the whole range).
//
// Such a chart runs one statement, whose rows are (bucket start in ns,
// one string per group, count as float64); rows for the same bucket and
// groups are summed, so a store may answer part of the range from
// pre-counted rows (duckdb.Store from the parts' per-minute counts) and
// the rest with the statement over the remaining data.
func (p *ChartPlan) CountShape() (source string, groups []string, step time.Duration, ok bool) {
	s := p.spec
	if s.source != "logs" && s.source != "traces" || s.where != nil || s.ratio || s.display == DisplayHeatmap ||
		len(s.selects) != 1 || p.rank || len(p.units) != 1 || len(s.groups) > 2 {
		return "", nil, 0, false
	}
	sel := &s.selects[0]
	if sel.fn != AggCount || sel.value != nil || sel.where != nil {
		return "", nil, 0, false
	}
	level := "StatusCode"
	if s.source == "logs" {
		level = "SeverityText"
	}
	for _, g := range s.groupNames {
		if g != "ServiceName" && g != level || slices.Contains(groups, g) {
			return "", nil, 0, false
		}
		groups = append(groups, g)
	}
	return s.source, groups, s.step, true
}
