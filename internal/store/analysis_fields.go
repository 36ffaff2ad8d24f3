package store

import "github.com/overlook-dev/overlook/internal/schema"

// The fields the analysis reads list, per source: the same in every
// backend (which renders them in its own SQL).

// DeltaColumns are the scalar columns Deltas compares, per source (ids,
// times, counts and texts unique per event are left out).
func DeltaColumns(src *schema.Source) []string {
	if src.Table.Name == schema.TracesTable {
		return []string{"ServiceName", "SpanName", "SpanKind", "StatusCode", "StatusMessage", "ScopeName"}
	}
	return []string{"ServiceName", "SeverityText", "ScopeName", "EventName"}
}

// AttributeMaps are the map columns whose keys facets and deltas list:
// the event's own attributes, then its resource's.
func AttributeMaps(src *schema.Source) []string {
	if src.Table.Name == schema.TracesTable {
		return []string{"SpanAttributes", "ResourceAttributes"}
	}
	return []string{"LogAttributes", "ResourceAttributes"}
}
