package e2e

import (
	"bytes"
	bin "encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/golang/snappy"
	"github.com/prometheus/prometheus/prompb"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// Generators of hostile ingest requests: OTLP over HTTP (protobuf and
// JSON) and gRPC, and Prometheus remote write. Each starts from a valid
// request with hostile content (invalid UTF-8, extreme timestamps, huge
// counts and strings, deep nesting) and usually mutates its bytes.

var otlpSignals = []struct{ path, grpc string }{
	{"/v1/logs", "/opentelemetry.proto.collector.logs.v1.LogsService/Export"},
	{"/v1/traces", "/opentelemetry.proto.collector.trace.v1.TraceService/Export"},
	{"/v1/metrics", "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"},
}

// hostileString returns a string that is short, long, empty, invalid
// UTF-8, control characters or SQL/Lucene metacharacters.
func hostileString(r *rand.Rand) string {
	switch r.IntN(10) {
	case 0:
		return ""
	case 1:
		return string([]byte{0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1})
	case 2:
		return "\x00\x01\x1b[31m\r\n\t"
	case 3:
		return strings.Repeat("é", r.IntN(2000))
	case 4:
		return `'; DROP TABLE otel_logs; --" OR 1=1 \u0000 %s%n ${jndi:x}`
	case 5:
		return strings.Repeat(string(rune('a'+r.IntN(26))), 1<<(8+r.IntN(5))) // 256 B .. 4 KiB
	default:
		return fmt.Sprintf("v%d-%x", r.IntN(1000), r.Uint32())
	}
}

// hostileTime is a timestamp in ns: zero, "negative" (wrapped), past 2262,
// the maximum, far past, or now.
func hostileTime(r *rand.Rand) pcommon.Timestamp {
	switch r.IntN(7) {
	case 0:
		return 0
	case 1:
		return pcommon.Timestamp(uint64(math.MaxUint64 - 4)) // -5 as int64
	case 2:
		return pcommon.Timestamp(math.MaxUint64)
	case 3:
		return pcommon.Timestamp(uint64(1) << 63)
	case 4:
		return pcommon.Timestamp(uint64(10_000_000_000) * 1e9) // year 2286
	default:
		return pcommon.NewTimestampFromTime(time.Now().Add(-time.Duration(r.IntN(600)) * time.Second))
	}
}

// hugeString is 256 KiB .. 2 MiB: one per request at most, so bodies stay
// within the receiver's 20 MiB limit.
func hugeString(r *rand.Rand) string {
	return strings.Repeat("x", 256<<(10+r.IntN(4)))
}

// hostileAttrs fills m; many allows thousands of attributes.
func hostileAttrs(r *rand.Rand, m pcommon.Map, many bool) {
	n := r.IntN(6)
	if many && r.IntN(15) == 0 {
		n = 2000 + r.IntN(3000) // many attributes
	}
	for i := 0; i < n; i++ {
		k := hostileString(r)
		if len(k) > 200 {
			k = k[:200]
		}
		k = fmt.Sprintf("%s%d", k, i)
		switch r.IntN(5) {
		case 0:
			m.PutInt(k, r.Int64()-math.MaxInt64/2)
		case 1:
			m.PutDouble(k, []float64{math.NaN(), math.Inf(1), -0.0, 1e308}[r.IntN(4)])
		case 2:
			m.PutEmptyBytes(k).FromRaw([]byte(hostileString(r)))
		case 3:
			s := m.PutEmptySlice(k)
			s.AppendEmpty().SetStr(hostileString(r))
			s.AppendEmpty().SetBool(true)
		default:
			m.PutStr(k, hostileString(r))
		}
	}
}

// recordCount is 1..20, now and then 5,000..20,000 (huge counts).
func recordCount(r *rand.Rand) int {
	if r.IntN(40) == 0 {
		return 5000 + r.IntN(15000)
	}
	return 1 + r.IntN(20)
}

func hostileLogs(r *rand.Rand) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	hostileAttrs(r, rl.Resource().Attributes(), true)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(hostileString(r))
	n := recordCount(r)
	for i := 0; i < n; i++ {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(hostileTime(r))
		lr.SetObservedTimestamp(hostileTime(r))
		lr.SetSeverityNumber(plog.SeverityNumber(r.Int32N(40) - 5))
		lr.SetSeverityText(hostileString(r))
		if n < 100 {
			lr.Body().SetStr(hostileString(r))
			hostileAttrs(r, lr.Attributes(), false)
		}
		lr.SetDroppedAttributesCount(r.Uint32())
	}
	if r.IntN(25) == 0 {
		sl.LogRecords().At(0).Body().SetStr(hugeString(r))
	}
	return ld
}

func hostileTraces(r *rand.Rand) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	hostileAttrs(r, rs.Resource().Attributes(), true)
	ss := rs.ScopeSpans().AppendEmpty()
	n := recordCount(r)
	for i := 0; i < n; i++ {
		sp := ss.Spans().AppendEmpty()
		var tid pcommon.TraceID
		var sid pcommon.SpanID
		if r.IntN(4) > 0 {
			bin.LittleEndian.PutUint64(tid[:], r.Uint64())
			bin.LittleEndian.PutUint64(sid[:], r.Uint64())
		}
		sp.SetTraceID(tid)
		sp.SetSpanID(sid)
		sp.SetParentSpanID(sid)
		sp.SetStartTimestamp(hostileTime(r))
		sp.SetEndTimestamp(hostileTime(r))
		sp.SetKind(ptrace.SpanKind(r.Int32N(10) - 2))
		if n < 100 {
			sp.SetName(hostileString(r))
			hostileAttrs(r, sp.Attributes(), false)
			for j := r.IntN(4); j > 0; j-- {
				ev := sp.Events().AppendEmpty()
				ev.SetName(hostileString(r))
				ev.SetTimestamp(hostileTime(r))
				l := sp.Links().AppendEmpty()
				l.SetTraceID(tid)
				l.TraceState().FromRaw(hostileString(r))
			}
		}
		sp.Status().SetCode(ptrace.StatusCode(r.Int32N(6) - 1))
	}
	if r.IntN(25) == 0 {
		ss.Spans().At(0).SetName(hugeString(r))
	}
	return td
}

func hostileMetrics(r *rand.Rand) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	hostileAttrs(r, rm.Resource().Attributes(), true)
	sm := rm.ScopeMetrics().AppendEmpty()
	n := 1 + r.IntN(5)
	for i := 0; i < n; i++ {
		m := sm.Metrics().AppendEmpty()
		m.SetName(hostileString(r))
		m.SetUnit(hostileString(r))
		points := recordCount(r)
		switch r.IntN(5) {
		case 0:
			g := m.SetEmptyGauge()
			for j := 0; j < points; j++ {
				p := g.DataPoints().AppendEmpty()
				p.SetTimestamp(hostileTime(r))
				p.SetDoubleValue([]float64{math.NaN(), math.Inf(-1), 1, -1e308}[r.IntN(4)])
			}
		case 1:
			s := m.SetEmptySum()
			s.SetAggregationTemporality(pmetric.AggregationTemporality(r.Int32N(5) - 1))
			for j := 0; j < points; j++ {
				p := s.DataPoints().AppendEmpty()
				p.SetTimestamp(hostileTime(r))
				p.SetStartTimestamp(hostileTime(r))
				p.SetIntValue(r.Int64())
			}
		case 2:
			h := m.SetEmptyHistogram()
			for j := 0; j < min(points, 200); j++ {
				p := h.DataPoints().AppendEmpty()
				p.SetTimestamp(hostileTime(r))
				p.SetCount(r.Uint64())
				// bucket counts that do not match the bounds
				p.BucketCounts().FromRaw(make([]uint64, r.IntN(50)))
				p.ExplicitBounds().FromRaw([]float64{3, 1, math.NaN(), 2}[:r.IntN(5)])
			}
		case 3:
			e := m.SetEmptyExponentialHistogram()
			p := e.DataPoints().AppendEmpty()
			p.SetTimestamp(hostileTime(r))
			p.SetScale(r.Int32N(200) - 100)
			p.Positive().SetOffset(r.Int32())
			p.Positive().BucketCounts().FromRaw(make([]uint64, r.IntN(3000)))
		default:
			s := m.SetEmptySummary()
			p := s.DataPoints().AppendEmpty()
			p.SetTimestamp(hostileTime(r))
			q := p.QuantileValues().AppendEmpty()
			q.SetQuantile([]float64{-1, 2, math.NaN(), 0.5}[r.IntN(4)])
		}
		hostileAttrs(r, m.Metadata(), false)
	}
	return md
}

// protoRequest returns a valid OTLP request for signal (0 logs, 1 traces,
// 2 metrics) as protobuf or JSON.
func otlpRequest(r *rand.Rand, signal int, json bool) []byte {
	var b []byte
	switch signal {
	case 0:
		req := plogotlp.NewExportRequestFromLogs(hostileLogs(r))
		b, _ = marshalOTLP(req.MarshalProto, req.MarshalJSON, json)
	case 1:
		req := ptraceotlp.NewExportRequestFromTraces(hostileTraces(r))
		b, _ = marshalOTLP(req.MarshalProto, req.MarshalJSON, json)
	default:
		req := pmetricotlp.NewExportRequestFromMetrics(hostileMetrics(r))
		b, _ = marshalOTLP(req.MarshalProto, req.MarshalJSON, json)
	}
	return b
}

func marshalOTLP(p, j func() ([]byte, error), json bool) ([]byte, error) {
	if json {
		return j()
	}
	return p()
}

// mutateBytes damages b: truncation, bit flips, random bytes, splices.
// The second result names the mutation.
func mutateBytes(r *rand.Rand, b []byte) ([]byte, string) {
	b = bytes.Clone(b)
	switch r.IntN(8) {
	case 0:
		if len(b) == 0 {
			return b, "empty"
		}
		return b[:r.IntN(len(b))], "truncated"
	case 1:
		for i := 1 + r.IntN(8); i > 0 && len(b) > 0; i-- {
			b[r.IntN(len(b))] ^= 1 << r.IntN(8)
		}
		return b, "bit-flipped"
	case 2:
		return randBytes(r, r.IntN(4096)), "random bytes"
	case 3:
		if len(b) == 0 {
			return b, "empty"
		}
		at := r.IntN(len(b))
		return append(append(b[:at:at], randBytes(r, 1+r.IntN(64))...), b[at:]...), "bytes inserted"
	case 4:
		return append(b, b...), "doubled"
	case 5:
		return nil, "empty"
	default:
		return b, "valid"
	}
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// deepAnyValueLog is an ExportLogsServiceRequest whose one log body is an
// AnyValue nested depth levels (alternating array and kvlist), encoded
// without recursion.
func deepAnyValueLog(depth int) []byte {
	// Sizes from the innermost value outwards; headers are written
	// outermost first.
	type hdr struct {
		tag  byte
		size int
	}
	inner := []byte{0x0a, 0x01, 'x'} // AnyValue{string_value: "x"}
	size := len(inner)
	hdrs := make([]hdr, 0, 3*depth+4)
	for i := 0; i < depth; i++ {
		if i%2 == 0 {
			// ArrayValue{values: [v]} inside AnyValue{array_value}
			hdrs = append(hdrs, hdr{0x0a, size}) // ArrayValue.values (1)
			size += 1 + uvarintLen(size)
			hdrs = append(hdrs, hdr{0x2a, size}) // AnyValue.array_value (5)
			size += 1 + uvarintLen(size)
		} else {
			// KeyValueList{values: [KeyValue{key:"k", value: v}]}
			hdrs = append(hdrs, hdr{0x12, size}) // KeyValue.value (2)
			size += 1 + uvarintLen(size) + 3     // + key "k"
			hdrs = append(hdrs, hdr{0x0a | 0x80, size})
			size += 1 + uvarintLen(size)
			hdrs = append(hdrs, hdr{0x32, size}) // AnyValue.kvlist_value (6)
			size += 1 + uvarintLen(size)
		}
	}
	for _, tag := range []byte{0x2a, 0x12, 0x12, 0x0a} { // LogRecord.body, ScopeLogs.log_records, ResourceLogs.scope_logs, request.resource_logs
		hdrs = append(hdrs, hdr{tag, size})
		size += 1 + uvarintLen(size)
	}
	out := make([]byte, 0, size)
	for i := len(hdrs) - 1; i >= 0; i-- {
		h := hdrs[i]
		if h.tag == 0x0a|0x80 { // KeyValueList.values (1) then KeyValue.key "k"
			out = append(out, 0x0a)
			out = bin.AppendUvarint(out, uint64(h.size))
			out = append(out, 0x0a, 0x01, 'k')
			continue
		}
		out = append(out, h.tag)
		out = bin.AppendUvarint(out, uint64(h.size))
	}
	return append(out, inner...)
}

func uvarintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}

// deepJSONLog is the JSON form of deepAnyValueLog (arrays only).
func deepJSONLog(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":`)
	b.WriteString(strings.Repeat(`{"arrayValue":{"values":[`, depth))
	b.WriteString(`{"stringValue":"x"}`)
	b.WriteString(strings.Repeat(`]}}`, depth))
	b.WriteString(`}]}]}]}`)
	return b.Bytes()
}

// deepDepth picks a nesting depth: mostly small, at most 100k levels
// (≈ 0.5 MB). The depth that crashes an unguarded decoder (≈ 850k, 8 MB)
// is left to the dedicated regression test.
func deepDepth(r *rand.Rand) int {
	return []int{10, 100, 1000, 10_000, 50_000, 100_000}[r.IntN(6)]
}

// jsonMutations are textual damages to an OTLP JSON body.
var jsonMutations = []struct {
	name string
	fn   func(r *rand.Rand, s string) string
}{
	{"timeUnixNano -5", func(_ *rand.Rand, s string) string {
		return strings.Replace(s, `"timeUnixNano":"`, `"timeUnixNano":-5,"x":"`, 1)
	}},
	{"timestamp as word", func(_ *rand.Rand, s string) string {
		return strings.Replace(s, `UnixNano":"`, `UnixNano":"soon`, 1)
	}},
	{"number 1e400", func(_ *rand.Rand, s string) string {
		return strings.Replace(s, `"intValue":"`, `"intValue":1e400,"y":"`, 1)
	}},
	{"wrong types", func(_ *rand.Rand, s string) string {
		return strings.NewReplacer(`[`, `{"a":[`, `]`, `]}`).Replace(s)
	}},
	{"invalid UTF-8", func(r *rand.Rand, s string) string {
		at := r.IntN(len(s) + 1)
		return s[:at] + "\xff\xfe\xc3" + s[at:]
	}},
	{"nulls", func(_ *rand.Rand, s string) string {
		return strings.ReplaceAll(s, `"stringValue":`, `"stringValue":null,"z":`)
	}},
	{"traceId not hex", func(_ *rand.Rand, s string) string {
		return strings.Replace(s, `"traceId":"`, `"traceId":"zz`, 1)
	}},
	{"huge count", func(_ *rand.Rand, s string) string {
		return strings.Replace(s, `"count":"`, `"count":"99999999999999999999999`, 1)
	}},
}

// genOTLPHTTP is one OTLP/HTTP request; json picks the encoding of the
// valid starting point (the content type is chosen separately).
func genOTLPHTTP(r *rand.Rand, json bool) hReq {
	sig := r.IntN(3)
	q := hReq{target: "otlp", method: "POST", path: otlpSignals[sig].path,
		ctype: map[bool]string{false: "application/x-protobuf", true: "application/json"}[json]}
	switch k := r.IntN(20); {
	case k == 0 && sig == 0:
		d := deepDepth(r)
		q.desc = fmt.Sprintf("AnyValue nested %d deep", d)
		if json {
			q.body = deepJSONLog(d)
		} else {
			q.body = deepAnyValueLog(d)
		}
		return q
	case k == 1:
		q.ctype = []string{"text/plain", "", "application/x-protobuf; charset=utf-8", "multipart/form-data; boundary=x",
			"application/json; charset=latin1", "application/grpc"}[r.IntN(6)]
		q.body = otlpRequest(r, sig, !json) // the other encoding
		q.desc = "other encoding as " + q.ctype
		return q
	case k == 2:
		q.enc = []string{"gzip", "zstd", "snappy", "deflate", "br", "lz4"}[r.IntN(6)]
		q.body = randBytes(r, r.IntN(2048))
		q.desc = "random bytes as Content-Encoding " + q.enc
		return q
	case k == 3:
		q.path = []string{"/v1/logs/", "/v1/profiles", "/v1/log", "/v2/traces", "/v1/metrics?x=1"}[r.IntN(5)]
		q.method = []string{"POST", "GET", "PUT", "DELETE", "OPTIONS"}[r.IntN(5)]
	}
	valid := otlpRequest(r, sig, json)
	if json && r.IntN(2) == 0 {
		m := jsonMutations[r.IntN(len(jsonMutations))]
		q.body, q.desc = []byte(m.fn(r, string(valid))), m.name
		return q
	}
	q.body, q.desc = mutateBytes(r, valid)
	return q
}

// genOTLPGRPC is one raw gRPC Export call.
func genOTLPGRPC(r *rand.Rand) hReq {
	sig := r.IntN(3)
	q := hReq{target: "grpc", path: otlpSignals[sig].grpc}
	switch r.IntN(20) {
	case 0:
		d := deepDepth(r)
		q.path = otlpSignals[0].grpc
		q.body, q.desc = deepAnyValueLog(d), fmt.Sprintf("AnyValue nested %d deep", d)
		return q
	case 1:
		q.path = otlpSignals[(sig+1)%3].grpc
		q.body, q.desc = otlpRequest(r, sig, false), "another signal's request"
		return q
	case 2:
		q.path = "/opentelemetry.proto.collector.logs.v1.LogsService/" + []string{"Nope", "", "Export/x"}[r.IntN(3)]
		q.body, q.desc = nil, "unknown method"
		return q
	}
	q.body, q.desc = mutateBytes(r, otlpRequest(r, sig, false))
	return q
}

const (
	rwV1Type = "application/x-protobuf"
	rwV2Type = "application/x-protobuf;proto=io.prometheus.write.v2.Request"
)

// genRemoteWrite is one Prometheus remote-write request (1.0 or 2.0).
func genRemoteWrite(r *rand.Rand) hReq {
	q := hReq{target: "api", method: "POST", path: "/prometheus/api/v1/write", enc: "snappy"}
	v2 := r.IntN(2) == 0
	q.ctype = rwV1Type
	var raw []byte
	if v2 {
		q.ctype = rwV2Type
		raw = rwV2(r)
	} else {
		raw = rwV1(r)
	}
	q.desc = map[bool]string{false: "1.0", true: "2.0"}[v2]
	switch r.IntN(8) {
	case 0:
		q.body, q.desc = randBytes(r, r.IntN(4096)), q.desc+" bad snappy"
	case 1:
		b, m := mutateBytes(r, raw)
		q.body, q.desc = snappy.Encode(nil, b), q.desc+" bad protobuf ("+m+")"
	case 2:
		q.ctype = []string{"text/plain", "", "application/x-protobuf;proto=nope", "application/json"}[r.IntN(4)]
		q.body, q.desc = snappy.Encode(nil, raw), q.desc+" content type "+q.ctype
	case 3:
		q.enc, q.body, q.desc = []string{"", "gzip", "zstd"}[r.IntN(3)], raw, q.desc+" unsnappied as "+q.enc
	case 4:
		b, m := mutateBytes(r, snappy.Encode(nil, raw))
		q.body, q.desc = b, q.desc+" snappy "+m
	default:
		q.body, q.desc = snappy.Encode(nil, raw), q.desc+" hostile series"
	}
	return q
}

func rwLabelCount(r *rand.Rand) int {
	if r.IntN(10) == 0 {
		return 1000 + r.IntN(9000) // absurd label counts
	}
	return r.IntN(6)
}

func rwV1(r *rand.Rand) []byte {
	var req prompb.WriteRequest
	for i := 1 + r.IntN(5); i > 0; i-- {
		ts := prompb.TimeSeries{}
		if r.IntN(5) > 0 {
			ts.Labels = append(ts.Labels, prompb.Label{Name: "__name__", Value: hostileString(r)})
		}
		for j := rwLabelCount(r); j > 0; j-- {
			ts.Labels = append(ts.Labels, prompb.Label{Name: fmt.Sprintf("%s%d", []string{"l", "", "dup", "\xff"}[r.IntN(4)], j%3), Value: hostileString(r)})
		}
		for j := r.IntN(5); j > 0; j-- {
			ts.Samples = append(ts.Samples, prompb.Sample{
				Value:     []float64{math.NaN(), math.Inf(1), 1, -1}[r.IntN(4)],
				Timestamp: []int64{0, -5, math.MaxInt64, math.MinInt64, time.Now().UnixMilli()}[r.IntN(5)]})
		}
		if r.IntN(8) == 0 {
			ts.Histograms = append(ts.Histograms, prompb.Histogram{Schema: r.Int32N(100) - 50,
				Count: &prompb.Histogram_CountInt{CountInt: r.Uint64()}, Timestamp: time.Now().UnixMilli(),
				PositiveSpans: []prompb.BucketSpan{{Offset: r.Int32(), Length: r.Uint32N(100)}}, PositiveDeltas: []int64{1, -5}})
		}
		req.Timeseries = append(req.Timeseries, ts)
	}
	for j := r.IntN(3); j > 0; j-- {
		req.Metadata = append(req.Metadata, prompb.MetricMetadata{Type: prompb.MetricMetadata_MetricType(r.Int32N(10)), MetricFamilyName: hostileString(r), Help: hostileString(r)})
	}
	b, _ := req.Marshal()
	return b
}

func rwV2(r *rand.Rand) []byte {
	req := writev2.Request{Symbols: []string{""}}
	for i := 2 + r.IntN(10); i > 0; i-- {
		req.Symbols = append(req.Symbols, []string{"__name__", "job", hostileString(r), "\xff"}[r.IntN(4)])
	}
	for i := 1 + r.IntN(5); i > 0; i-- {
		ts := writev2.TimeSeries{}
		for j := 2*rwLabelCount(r) + r.IntN(2); j > 0; j-- { // odd counts now and then
			ref := r.Uint32N(uint32(len(req.Symbols)))
			if r.IntN(20) == 0 {
				ref = r.Uint32() // out of range
			}
			ts.LabelsRefs = append(ts.LabelsRefs, ref)
		}
		for j := r.IntN(4); j > 0; j-- {
			ts.Samples = append(ts.Samples, writev2.Sample{Value: []float64{math.NaN(), 2, -1}[r.IntN(3)],
				Timestamp: []int64{0, -5, math.MaxInt64, time.Now().UnixMilli()}[r.IntN(4)]})
		}
		ts.Metadata.Type = writev2.Metadata_MetricType(r.Int32N(12))
		ts.Metadata.HelpRef = r.Uint32N(uint32(len(req.Symbols) + 2))
		req.Timeseries = append(req.Timeseries, ts)
	}
	b, _ := req.Marshal()
	return b
}
