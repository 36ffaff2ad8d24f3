package query

import "time"

// CountShape reports whether the chart is a plain row count of logs or
// traces: one count() select without a where of its own, no chart where,
// not a ratio or heatmap, grouped by nothing or by exactly the bare
// column ServiceName (group is then "ServiceName", else ""). step is the
// bucket width (0: one value over the whole range).
//
// Such a chart runs one statement, whose rows are (bucket start in ns,
// [ServiceName,] count as float64); rows for the same bucket and group
// are summed, so a store may answer part of the range from pre-counted
// rows (duckdb.Store from the parts' per-minute counts) and the rest with
// the statement over the remaining data.
func (p *ChartPlan) CountShape() (source, group string, step time.Duration, ok bool) {
	s := p.spec
	if s.source != "logs" && s.source != "traces" || s.where != nil || s.ratio || s.display == DisplayHeatmap ||
		len(s.selects) != 1 || p.rank || len(p.units) != 1 {
		return "", "", 0, false
	}
	sel := &s.selects[0]
	if sel.fn != AggCount || sel.value != nil || sel.where != nil {
		return "", "", 0, false
	}
	switch {
	case len(s.groups) == 0:
	case len(s.groups) == 1 && s.groupNames[0] == "ServiceName":
		group = "ServiceName"
	default:
		return "", "", 0, false
	}
	return s.source, group, s.step, true
}
