package api

import (
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store"
)

// rowsToTraces rebuilds OTLP spans from stored rows, one ResourceSpans per
// distinct resource (service name and attributes) and one ScopeSpans per
// scope, in row order. Attribute values are stored as strings and come
// back as strings.
func rowsToTraces(rows []store.Row) ptrace.Traces {
	td := ptrace.NewTraces()
	resIdx := map[string]ptrace.ResourceSpans{}
	scIdx := map[string]ptrace.ScopeSpans{}
	for _, r := range rows {
		resAttrs := rowMap(r, "ResourceAttributes")
		rk := rowStr(r, "ServiceName") + "\x00" + mapKey(resAttrs)
		rs, ok := resIdx[rk]
		if !ok {
			rs = td.ResourceSpans().AppendEmpty()
			putAttrs(rs.Resource().Attributes(), resAttrs)
			if _, has := resAttrs["service.name"]; !has && rowStr(r, "ServiceName") != "" {
				rs.Resource().Attributes().PutStr("service.name", rowStr(r, "ServiceName"))
			}
			rs.SetSchemaUrl(rowStr(r, "ResourceSchemaUrl"))
			resIdx[rk] = rs
		}
		sk := rk + "\x00" + rowStr(r, "ScopeName") + "\x00" + rowStr(r, "ScopeVersion")
		ss, ok := scIdx[sk]
		if !ok {
			ss = rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(rowStr(r, "ScopeName"))
			ss.Scope().SetVersion(rowStr(r, "ScopeVersion"))
			putAttrs(ss.Scope().Attributes(), rowMap(r, "ScopeAttributes"))
			ss.SetSchemaUrl(rowStr(r, "ScopeSchemaUrl"))
			scIdx[sk] = ss
		}
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID(hex16(rowStr(r, "TraceId"))))
		sp.SetSpanID(pcommon.SpanID(hex8(rowStr(r, "SpanId"))))
		sp.SetParentSpanID(pcommon.SpanID(hex8(rowStr(r, "ParentSpanId"))))
		sp.TraceState().FromRaw(rowStr(r, "TraceState"))
		sp.SetName(rowStr(r, "SpanName"))
		sp.SetKind(spanKind(rowStr(r, "SpanKind")))
		st, _ := r["Timestamp"].(time.Time)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(st))
		sp.SetEndTimestamp(pcommon.Timestamp(uint64(pcommon.NewTimestampFromTime(st)) + rowU64(r, "Duration")))
		putAttrs(sp.Attributes(), rowMap(r, "SpanAttributes"))
		sp.SetDroppedAttributesCount(uint32(rowU64(r, "DroppedAttributesCount")))
		sp.SetDroppedEventsCount(uint32(rowU64(r, "DroppedEventsCount")))
		sp.SetDroppedLinksCount(uint32(rowU64(r, "DroppedLinksCount")))
		sp.SetFlags(uint32(rowU64(r, "TraceFlags")))
		sp.Status().SetCode(statusCode(rowStr(r, "StatusCode")))
		sp.Status().SetMessage(rowStr(r, "StatusMessage"))
		evTimes, _ := r["Events.Timestamp"].([]time.Time)
		evNames, _ := r["Events.Name"].([]string)
		evAttrs, _ := r["Events.Attributes"].([]map[string]string)
		for i, name := range evNames {
			ev := sp.Events().AppendEmpty()
			ev.SetName(name)
			if i < len(evTimes) {
				ev.SetTimestamp(pcommon.NewTimestampFromTime(evTimes[i]))
			}
			if i < len(evAttrs) {
				putAttrs(ev.Attributes(), evAttrs[i])
			}
		}
		lTrace, _ := r["Links.TraceId"].([]string)
		lSpan, _ := r["Links.SpanId"].([]string)
		lState, _ := r["Links.TraceState"].([]string)
		lAttrs, _ := r["Links.Attributes"].([]map[string]string)
		for i, tid := range lTrace {
			l := sp.Links().AppendEmpty()
			l.SetTraceID(pcommon.TraceID(hex16(tid)))
			if i < len(lSpan) {
				l.SetSpanID(pcommon.SpanID(hex8(lSpan[i])))
			}
			if i < len(lState) {
				l.TraceState().FromRaw(lState[i])
			}
			if i < len(lAttrs) {
				putAttrs(l.Attributes(), lAttrs[i])
			}
		}
	}
	return td
}

func rowStr(r store.Row, k string) string { s, _ := r[k].(string); return s }

func rowU64(r store.Row, k string) uint64 {
	switch v := r[k].(type) {
	case uint64:
		return v
	case int64:
		return uint64(v)
	}
	return 0
}

func rowMap(r store.Row, k string) map[string]string { m, _ := r[k].(map[string]string); return m }

// mapKey is a canonical string of m (sorted keys).
func mapKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "\x01" + m[k] + "\x02")
	}
	return b.String()
}

func putAttrs(dst pcommon.Map, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		dst.PutStr(k, m[k])
	}
}

func hex16(s string) (b [16]byte) { _, _ = hex.Decode(b[:], []byte(s)); return b }
func hex8(s string) (b [8]byte)   { _, _ = hex.Decode(b[:], []byte(s)); return b }

func spanKind(s string) ptrace.SpanKind {
	for _, k := range []ptrace.SpanKind{ptrace.SpanKindInternal, ptrace.SpanKindServer, ptrace.SpanKindClient,
		ptrace.SpanKindProducer, ptrace.SpanKindConsumer} {
		if k.String() == s {
			return k
		}
	}
	return ptrace.SpanKindUnspecified
}

func statusCode(s string) ptrace.StatusCode {
	switch s {
	case ptrace.StatusCodeOk.String():
		return ptrace.StatusCodeOk
	case ptrace.StatusCodeError.String():
		return ptrace.StatusCodeError
	}
	return ptrace.StatusCodeUnset
}
