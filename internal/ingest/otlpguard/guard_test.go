package otlpguard

import (
	"errors"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// nest fills v with depth levels of arrays (kvlist=false) or kvlists.
func nest(v pcommon.Value, depth int, kvlist bool) {
	for range depth {
		if kvlist {
			v = v.SetEmptyMap().PutEmpty("k")
		} else {
			v = v.SetEmptySlice().AppendEmpty()
		}
	}
	v.SetStr("leaf")
}

type encoded struct{ proto, json []byte }

func logsWith(fill func(plog.LogRecord)) encoded {
	ld := plog.NewLogs()
	fill(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty())
	req := plogotlp.NewExportRequestFromLogs(ld)
	p, _ := req.MarshalProto()
	j, _ := req.MarshalJSON()
	return encoded{p, j}
}

func tracesWith(fill func(ptrace.Span)) encoded {
	td := ptrace.NewTraces()
	fill(td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty())
	req := ptraceotlp.NewExportRequestFromTraces(td)
	p, _ := req.MarshalProto()
	j, _ := req.MarshalJSON()
	return encoded{p, j}
}

func metricsWith(fill func(pmetric.Metric)) encoded {
	md := pmetric.NewMetrics()
	fill(md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty())
	req := pmetricotlp.NewExportRequestFromMetrics(md)
	p, _ := req.MarshalProto()
	j, _ := req.MarshalJSON()
	return encoded{p, j}
}

func TestScan(t *testing.T) {
	lim := Limits{MaxDepth: 8, MaxItems: 200}
	cases := []struct {
		name string
		sig  Signal
		in   encoded
		want string // "", "depth", "items"
	}{
		{"log body at the limit (array)", Logs, logsWith(func(r plog.LogRecord) { nest(r.Body(), 8, false) }), ""},
		{"log body over the limit (array)", Logs, logsWith(func(r plog.LogRecord) { nest(r.Body(), 9, false) }), "depth"},
		{"log body at the limit (kvlist)", Logs, logsWith(func(r plog.LogRecord) { nest(r.Body(), 8, true) }), ""},
		{"log body over the limit (kvlist)", Logs, logsWith(func(r plog.LogRecord) { nest(r.Body(), 9, true) }), "depth"},
		{"log attribute over the limit", Logs, logsWith(func(r plog.LogRecord) { nest(r.Attributes().PutEmpty("a"), 9, false) }), "depth"},
		{"scalar body", Logs, logsWith(func(r plog.LogRecord) { r.Body().SetStr("hello") }), ""},
		{"many attributes", Logs, logsWith(func(r plog.LogRecord) {
			for i := range 150 {
				r.Attributes().PutInt(string(rune('a'+i%26))+string(rune('a'+i/26)), int64(i))
			}
		}), "items"},
		{"resource attribute over the limit", Logs, func() encoded {
			ld := plog.NewLogs()
			rl := ld.ResourceLogs().AppendEmpty()
			nest(rl.Resource().Attributes().PutEmpty("r"), 9, true)
			rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
			req := plogotlp.NewExportRequestFromLogs(ld)
			p, _ := req.MarshalProto()
			j, _ := req.MarshalJSON()
			return encoded{p, j}
		}(), "depth"},
		{"span attribute over the limit", Traces, tracesWith(func(s ptrace.Span) { nest(s.Attributes().PutEmpty("a"), 9, false) }), "depth"},
		{"span event attribute over the limit", Traces, tracesWith(func(s ptrace.Span) { nest(s.Events().AppendEmpty().Attributes().PutEmpty("a"), 9, true) }), "depth"},
		{"span link attribute over the limit", Traces, tracesWith(func(s ptrace.Span) { nest(s.Links().AppendEmpty().Attributes().PutEmpty("a"), 9, false) }), "depth"},
		{"span at the limit", Traces, tracesWith(func(s ptrace.Span) { nest(s.Attributes().PutEmpty("a"), 8, false) }), ""},
		{"scope attribute over the limit", Traces, func() encoded {
			td := ptrace.NewTraces()
			ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
			nest(ss.Scope().Attributes().PutEmpty("s"), 9, false)
			req := ptraceotlp.NewExportRequestFromTraces(td)
			p, _ := req.MarshalProto()
			j, _ := req.MarshalJSON()
			return encoded{p, j}
		}(), "depth"},
		{"gauge point attribute over the limit", Metrics, metricsWith(func(m pmetric.Metric) {
			nest(m.SetEmptyGauge().DataPoints().AppendEmpty().Attributes().PutEmpty("a"), 9, false)
		}), "depth"},
		{"histogram exemplar attribute over the limit", Metrics, metricsWith(func(m pmetric.Metric) {
			nest(m.SetEmptyHistogram().DataPoints().AppendEmpty().Exemplars().AppendEmpty().FilteredAttributes().PutEmpty("a"), 9, true)
		}), "depth"},
		{"exponential histogram point attribute over the limit", Metrics, metricsWith(func(m pmetric.Metric) {
			nest(m.SetEmptyExponentialHistogram().DataPoints().AppendEmpty().Attributes().PutEmpty("a"), 9, false)
		}), "depth"},
		{"summary point attribute over the limit", Metrics, metricsWith(func(m pmetric.Metric) {
			nest(m.SetEmptySummary().DataPoints().AppendEmpty().Attributes().PutEmpty("a"), 9, false)
		}), "depth"},
		{"metric metadata over the limit", Metrics, metricsWith(func(m pmetric.Metric) {
			nest(m.Metadata().PutEmpty("a"), 9, false)
		}), "depth"},
		{"sum at the limit", Metrics, metricsWith(func(m pmetric.Metric) {
			nest(m.SetEmptySum().DataPoints().AppendEmpty().Attributes().PutEmpty("a"), 8, false)
		}), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, enc := range []struct {
				name string
				err  error
			}{
				{"proto", ScanProto(c.sig, c.in.proto, lim)},
				{"json", ScanJSON(c.in.json, lim)},
			} {
				var le *LimitError
				switch {
				case c.want == "" && enc.err != nil:
					t.Errorf("%s: refused: %v", enc.name, enc.err)
				case c.want == "depth" && !(errors.As(enc.err, &le) && le.Key == DepthKey):
					t.Errorf("%s: %v, want the depth limit (%s)", enc.name, enc.err, DepthKey)
				case c.want == "items" && !(errors.As(enc.err, &le) && le.Key == ItemsKey):
					t.Errorf("%s: %v, want the item limit (%s)", enc.name, enc.err, ItemsKey)
				}
			}
		})
	}
}

// TestScanDeprecatedScope: pdata still decodes the deprecated
// instrumentation_library_logs (field 1000), so the walker must enter it.
func TestScanDeprecatedScope(t *testing.T) {
	in := logsWith(func(r plog.LogRecord) { nest(r.Body(), 9, false) })
	// resourceLogs(1){ scopeLogs(2){...} } → rewrite the inner tag 2 as 1000.
	var req plogotlp.ExportRequest = plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(in.proto); err != nil {
		t.Fatal(err)
	}
	sl, _ := plogotlp.NewExportRequestFromLogs(func() plog.Logs {
		ld := plog.NewLogs()
		req.Logs().ResourceLogs().At(0).ScopeLogs().At(0).CopyTo(ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty())
		return ld
	}()).MarshalProto()
	// sl = 0a <len> [12 <len> scopeLogs]; build 0a <len'> [c2 3e <len> scopeLogs].
	inner := scopeLogsBytes(t, sl)
	body := append([]byte{0xc2, 0x3e}, appendVarint(nil, uint64(len(inner)))...)
	body = append(body, inner...)
	msg := append([]byte{0x0a}, appendVarint(nil, uint64(len(body)))...)
	msg = append(msg, body...)
	var le *LimitError
	if err := ScanProto(Logs, msg, Limits{MaxDepth: 8}); !errors.As(err, &le) {
		t.Fatalf("deep body inside deprecated instrumentation_library_logs: %v, want the depth limit", err)
	}
}

func scopeLogsBytes(t *testing.T, req []byte) []byte {
	t.Helper()
	// req: 0a L1 (12 L2 <scopeLogs>)
	_, n := readVarint(req[1:])
	rl := req[1+n:]
	if rl[0] != 0x12 {
		t.Fatalf("unexpected encoding % x", rl[:4])
	}
	l, m := readVarint(rl[1:])
	return rl[1+m : 1+m+int(l)]
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func readVarint(b []byte) (uint64, int) {
	var v uint64
	for i, c := range b {
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

func TestScanMalformed(t *testing.T) {
	for _, in := range [][]byte{
		{0xff, 0xff, 0xff, 0x01},
		{0x0a, 0x05, 0x12},       // length past the end
		{0x0a, 0x02, 0x12, 0x7f}, // inner length past the end
	} {
		if err := ScanProto(Logs, in, Limits{MaxDepth: 8}); !errors.Is(err, ErrMalformed) {
			t.Errorf("% x: %v, want ErrMalformed", in, err)
		}
	}
}

// TestScanJSONKeysInStrings: brackets and key names inside strings are text.
func TestScanJSONKeysInStrings(t *testing.T) {
	in := []byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"{\"arrayValue\":{[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}}]}]}]}`)
	if err := ScanJSON(in, Limits{MaxDepth: 1}); err != nil {
		t.Fatalf("brackets inside a string counted: %v", err)
	}
	// Raw brackets with no container keys still hit the bracket bound.
	deep := make([]byte, 0, 400)
	for range 200 {
		deep = append(deep, '[')
	}
	if err := ScanJSON(deep, Limits{MaxDepth: 8}); err == nil {
		t.Fatal("200 bare brackets passed a depth-8 limit")
	}
}

func FuzzScanProto(f *testing.F) {
	f.Add(logsWith(func(r plog.LogRecord) { nest(r.Body(), 3, true) }).proto, uint8(Logs))
	f.Add(tracesWith(func(s ptrace.Span) { nest(s.Attributes().PutEmpty("a"), 3, false) }).proto, uint8(Traces))
	f.Add(metricsWith(func(m pmetric.Metric) { m.SetEmptyGauge().DataPoints().AppendEmpty() }).proto, uint8(Metrics))
	f.Fuzz(func(t *testing.T, b []byte, sig uint8) {
		s := Signal(sig % 4)
		err := ScanProto(s, b, Limits{MaxDepth: 4, MaxItems: 1000})
		if err != nil || s != Logs {
			return
		}
		// Whatever passes must decode without trouble.
		req := plogotlp.NewExportRequest()
		_ = req.UnmarshalProto(b)
	})
}

func FuzzScanJSON(f *testing.F) {
	f.Add(logsWith(func(r plog.LogRecord) { nest(r.Body(), 3, true) }).json)
	f.Add(tracesWith(func(s ptrace.Span) { nest(s.Attributes().PutEmpty("a"), 3, false) }).json)
	f.Add([]byte(`{"a":"\"}{[`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if ScanJSON(b, Limits{MaxDepth: 4, MaxItems: 1000}) != nil {
			return
		}
		req := plogotlp.NewExportRequest()
		_ = req.UnmarshalJSON(b)
	})
}
