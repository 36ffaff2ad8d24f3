package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// BenchmarkTraceJSON: encoding GET /api/traces/{id}'s answer for a
// 10-span trace shaped as the parts store returns it (every otel_traces
// column; ~10 attributes per span): the API layer's share of a lookup
// (issue 10).
//
//	go test ./internal/api -run '^$' -bench TraceJSON -benchmem
func BenchmarkTraceJSON(b *testing.B) {
	spans := make([]store.Row, 10)
	for i := range spans {
		attrs := map[string]string{}
		for k := range 8 {
			attrs[fmt.Sprintf("attr.%d", k)] = fmt.Sprintf("value-%d-%d", i, k)
		}
		spans[i] = store.Row{
			"Timestamp": time.Unix(1700000000, int64(i)).UTC(), "TraceId": "0123456789abcdef0123456789abcdef",
			"SpanId": fmt.Sprintf("%016x", i), "ParentSpanId": "0000000000000001", "TraceState": "",
			"SpanName": "GET /api/cart", "SpanKind": "Server", "ServiceName": "cart",
			"ResourceAttributes": map[string]string{"service.name": "cart", "host.name": "h1", "k8s.pod.name": "cart-1"},
			"ScopeName":          "otel", "ScopeVersion": "1", "SpanAttributes": attrs, "Duration": uint64(1234567),
			"StatusCode": "Ok", "StatusMessage": "",
			"Events.Timestamp": []time.Time{}, "Events.Name": []string{}, "Events.Attributes": []map[string]string{}, "Events.DroppedAttributesCount": []uint64{},
			"Links.TraceId": []string{}, "Links.SpanId": []string{}, "Links.TraceState": []string{}, "Links.Attributes": []map[string]string{},
			"Links.DroppedAttributesCount": []uint64{}, "Links.Flags": []uint64{},
			"ResourceSchemaUrl": "", "ScopeSchemaUrl": "", "ScopeAttributes": map[string]string{},
			"TraceFlags": uint64(1), "DroppedAttributesCount": uint64(0), "DroppedEventsCount": uint64(0), "DroppedLinksCount": uint64(0),
			"ScopeDroppedAttrCount": uint64(0), "ResourceDroppedAttrCount": uint64(0),
		}
	}
	resp := traceResponse{TraceID: "0123456789abcdef0123456789abcdef", Spans: spans}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeCapped(resp, DefaultMaxResponseBytes); err != nil {
			b.Fatal(err)
		}
	}
}
