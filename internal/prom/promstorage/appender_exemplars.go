package promstorage

import (
	"encoding/hex"

	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/labels"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// setExemplars stores Prometheus exemplars as OTLP ones, the reverse of
// promExemplar: trace_id and span_id labels holding hex IDs of the right
// length become the exemplar's trace and span, the other labels its
// filtered attributes. An exemplar without a timestamp takes the
// sample's (t, ms).
func setExemplars(dst pmetric.ExemplarSlice, exs []exemplar.Exemplar, t int64) {
	if len(exs) == 0 {
		return
	}
	dst.EnsureCapacity(len(exs))
	for _, e := range exs {
		ex := dst.AppendEmpty()
		ts := e.Ts
		if !e.HasTs {
			ts = t
		}
		ex.SetTimestamp(msTimestamp(ts))
		ex.SetDoubleValue(e.Value)
		e.Labels.Range(func(l labels.Label) {
			switch l.Name {
			case traceIDLabel:
				var id pcommon.TraceID
				if len(l.Value) == 2*len(id) && decodeHex(id[:], l.Value) {
					ex.SetTraceID(id)
					return
				}
			case spanIDLabel:
				var id pcommon.SpanID
				if len(l.Value) == 2*len(id) && decodeHex(id[:], l.Value) {
					ex.SetSpanID(id)
					return
				}
			}
			ex.FilteredAttributes().PutStr(l.Name, l.Value)
		})
	}
}

// decodeHex fills dst from the hex string s of exactly 2·len(dst) digits.
func decodeHex(dst []byte, s string) bool {
	n, err := hex.Decode(dst, []byte(s))
	return err == nil && n == len(dst)
}
