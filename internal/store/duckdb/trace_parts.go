package duckdb

import (
	"encoding/hex"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/parts"
)

// spanRow converts a span read from the parts in Go into the store.Row
// scanRows makes of the same span read through DuckDB (the parts view and
// selectList): IDs as lowercase hex ("" when empty), timestamps as UTC
// time.Time, unsigned integers as uint64, maps as map[string]string
// (first MaxReadAttributes entries), Nested columns as dotted keys of
// typed slices. TestTraceGoMatchesSQL holds the two paths equal.
func spanRow(r *parts.SpanRow) store.Row {
	row := make(store.Row, 40)
	row["Timestamp"] = nsTime(r.Timestamp)
	row["TraceId"] = hex.EncodeToString(r.TraceId)
	row["SpanId"] = hex.EncodeToString(r.SpanId)
	row["ParentSpanId"] = hex.EncodeToString(r.ParentSpanId)
	row["TraceState"] = r.TraceState
	row["SpanName"] = r.SpanName
	row["SpanKind"] = r.SpanKind
	row["ServiceName"] = r.ServiceName
	row["ResourceAttributes"] = kvMap(r.ResourceAttributes)
	row["ScopeName"] = r.ScopeName
	row["ScopeVersion"] = r.ScopeVersion
	row["SpanAttributes"] = kvMap(r.SpanAttributes)
	row["Duration"] = r.Duration
	row["StatusCode"] = r.StatusCode
	row["StatusMessage"] = r.StatusMessage

	evTs := make([]time.Time, len(r.Events))
	evName := make([]string, len(r.Events))
	evAttrs := make([]map[string]string, len(r.Events))
	evDropped := make([]uint64, len(r.Events))
	for i, e := range r.Events {
		evTs[i], evName[i], evAttrs[i], evDropped[i] = nsTime(e.Timestamp), e.Name, kvMap(e.Attributes), uint64(e.DroppedAttributesCount)
	}
	row["Events.Timestamp"], row["Events.Name"], row["Events.Attributes"], row["Events.DroppedAttributesCount"] = evTs, evName, evAttrs, evDropped

	lTrace := make([]string, len(r.Links))
	lSpan := make([]string, len(r.Links))
	lState := make([]string, len(r.Links))
	lAttrs := make([]map[string]string, len(r.Links))
	lDropped := make([]uint64, len(r.Links))
	lFlags := make([]uint64, len(r.Links))
	for i, l := range r.Links {
		lTrace[i], lSpan[i], lState[i] = hex.EncodeToString(l.TraceId), hex.EncodeToString(l.SpanId), l.TraceState
		lAttrs[i], lDropped[i], lFlags[i] = kvMap(l.Attributes), uint64(l.DroppedAttributesCount), uint64(l.Flags)
	}
	row["Links.TraceId"], row["Links.SpanId"], row["Links.TraceState"] = lTrace, lSpan, lState
	row["Links.Attributes"], row["Links.DroppedAttributesCount"], row["Links.Flags"] = lAttrs, lDropped, lFlags

	row["ResourceSchemaUrl"] = r.ResourceSchemaUrl
	row["ScopeSchemaUrl"] = r.ScopeSchemaUrl
	row["ScopeAttributes"] = kvMap(r.ScopeAttributes)
	row["TraceFlags"] = uint64(r.TraceFlags)
	row["DroppedAttributesCount"] = uint64(r.DroppedAttributesCount)
	row["DroppedEventsCount"] = uint64(r.DroppedEventsCount)
	row["DroppedLinksCount"] = uint64(r.DroppedLinksCount)
	row["ScopeDroppedAttrCount"] = uint64(r.ScopeDroppedAttrCount)
	row["ResourceDroppedAttrCount"] = uint64(r.ResourceDroppedAttrCount)
	return row
}

func nsTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// kvMap is a stored attribute list as selectList reads it: the first
// MaxReadAttributes entries in stored order.
func kvMap(kv parts.KV) map[string]string {
	n := min(len(kv.Keys), len(kv.Values), MaxReadAttributes)
	m := make(map[string]string, n)
	for i := range n {
		m[kv.Keys[i]] = kv.Values[i]
	}
	return m
}
