package distro

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/spanmetricsconnector"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/xconnector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Tempo's span metrics include traces_spanmetrics_size_total, the bytes of
// the spans counted per series; the span-metrics connector has no such
// metric. withSpanSizes wraps the connector's factory (same type, alias,
// configuration and behaviour) and adds it: every span's OTLP protobuf
// size (ptrace.ProtoMarshaler.SpanSize) is summed per resource and per the
// connector's label set, and written as the counter `<namespace>.size`
// (traces.spanmetrics.size → traces_spanmetrics_size_total) with every
// metrics flush of the connector.
//
// The labels are the connector's: service.name, span.name, span.kind,
// status.code (minus exclude_dimensions) and the named `dimensions` (span
// attribute, then resource attribute, then the default). Not applied to
// the size: glob dimensions, calls_dimensions, histogram and event
// dimensions, include_instrumentation_scope and
// enable_metrics_sampling_method (docs/trace-metrics.md). Bounded as the
// connector's series: aggregation_cardinality_limit series per resource
// (the rest fold into one series with otel.metric.overflow=true), at most
// resource_metrics_cache_size resources (the least recently seen is
// forgotten first), and a resource not seen for metrics_expiration is
// forgotten.
func withSpanSizes(f connector.Factory, alias component.Type) connector.Factory {
	return xconnector.NewFactory(f.Type(), f.CreateDefaultConfig,
		xconnector.WithTracesToMetrics(func(ctx context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Traces, error) {
			smc, ok := cfg.(*spanmetricsconnector.Config)
			if !ok {
				return nil, fmt.Errorf("span metrics: unexpected configuration type %T", cfg)
			}
			sizes := newSpanSizes(smc, time.Now())
			out, err := consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
				sizes.appendTo(md, time.Now())
				return next.ConsumeMetrics(ctx, md)
			}, consumer.WithCapabilities(consumer.Capabilities{MutatesData: true}))
			if err != nil {
				return nil, fmt.Errorf("span metrics: size counter: %w", err)
			}
			inner, err := f.CreateTracesToMetrics(ctx, set, cfg, out)
			if err != nil {
				return nil, err
			}
			return &spanSizeConnector{Traces: inner, sizes: sizes}, nil
		}, f.TracesToMetricsStability()),
		xconnector.WithDeprecatedTypeAlias(alias),
	)
}

// spanSizeConnector is the span-metrics connector with the sizes counted
// before each batch is handed to it.
type spanSizeConnector struct {
	connector.Traces
	sizes *spanSizes
}

func (c *spanSizeConnector) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	c.sizes.add(td, time.Now())
	return c.Traces.ConsumeTraces(ctx, td)
}

const overflowAttr = "otel.metric.overflow"

// spanLabels are the connector's point attributes of every series.
var spanLabels = [4]string{"service.name", "span.name", "span.kind", "status.code"}

type spanSizes struct {
	name       string
	dims       []spanmetricsconnector.Dimension // named dimensions (no globs)
	keep       [4]bool                          // service.name, span.name, span.kind, status.code not in exclude_dimensions
	keyAttrs   []string                         // resource_metrics_key_attributes
	maxRes     int                              // resource_metrics_cache_size
	limit      int
	expiration time.Duration
	delta      bool

	mu         sync.Mutex
	lastFlush  pcommon.Timestamp
	resources  map[string]*sizeResource
	marshaler  ptrace.ProtoMarshaler
	keyScratch []byte
}

type sizeResource struct {
	attrs    pcommon.Map
	lastSeen time.Time
	series   map[string]*sizeSeries
}

type sizeSeries struct {
	attrs pcommon.Map
	start pcommon.Timestamp
	bytes int64
}

func newSpanSizes(cfg *spanmetricsconnector.Config, now time.Time) *spanSizes {
	s := &spanSizes{
		name:       sizeMetricName(cfg.Namespace),
		keyAttrs:   cfg.ResourceMetricsKeyAttributes,
		maxRes:     cfg.ResourceMetricsCacheSize,
		limit:      cfg.AggregationCardinalityLimit,
		expiration: cfg.MetricsExpiration,
		delta:      cfg.GetAggregationTemporality() == pmetric.AggregationTemporalityDelta,
		lastFlush:  pcommon.NewTimestampFromTime(now),
		resources:  map[string]*sizeResource{},
	}
	for _, d := range cfg.Dimensions {
		if d.Name != "" && d.Glob == "" {
			s.dims = append(s.dims, d)
		}
	}
	for i, k := range spanLabels {
		s.keep[i] = !slices.Contains(cfg.ExcludeDimensions, k)
	}
	return s
}

// sizeMetricName is the connector's naming: <namespace>.<metric>.
func sizeMetricName(namespace string) string {
	if namespace == "" {
		return "size"
	}
	return namespace + ".size"
}

// add counts the bytes of every span of td whose resource has a
// service.name (the connector skips the others too).
func (s *spanSizes) add(td ptrace.Traces, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := pcommon.NewTimestampFromTime(now)
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		rattrs := rs.Resource().Attributes()
		svc, ok := rattrs.Get("service.name")
		if !ok {
			continue
		}
		res := s.resource(rattrs, now)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				s.series(res, svc.Str(), span, rattrs, ts).bytes += int64(s.marshaler.SpanSize(span))
			}
		}
	}
}

func (s *spanSizes) resource(attrs pcommon.Map, now time.Time) *sizeResource {
	var b strings.Builder
	keys := make([]string, 0, attrs.Len())
	for k := range attrs.All() {
		if len(s.keyAttrs) == 0 || slices.Contains(s.keyAttrs, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, _ := attrs.Get(k)
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(v.AsString())
		b.WriteByte(0)
	}
	key := b.String()
	r, ok := s.resources[key]
	if !ok {
		if s.maxRes > 0 && len(s.resources) >= s.maxRes {
			s.evictOldest()
		}
		r = &sizeResource{attrs: pcommon.NewMap(), series: map[string]*sizeSeries{}}
		attrs.CopyTo(r.attrs)
		s.resources[key] = r
	}
	r.lastSeen = now
	return r
}

// evictOldest forgets the resource seen least recently.
func (s *spanSizes) evictOldest() {
	var oldest string
	var at time.Time
	for k, r := range s.resources {
		if oldest == "" || r.lastSeen.Before(at) {
			oldest, at = k, r.lastSeen
		}
	}
	delete(s.resources, oldest)
}

// series finds (or makes) the series of span: the key is the label values
// in the connector's order, separated by NUL.
func (s *spanSizes) series(r *sizeResource, svc string, span ptrace.Span, rattrs pcommon.Map, ts pcommon.Timestamp) *sizeSeries {
	b := s.keyScratch[:0]
	values := [4]string{svc, span.Name(), spanKindName(span.Kind()), statusCodeName(span.Status().Code())}
	for i, v := range values {
		if s.keep[i] {
			b = append(b, v...)
		}
		b = append(b, 0)
	}
	for _, d := range s.dims {
		if v, ok := dimensionValue(d, span.Attributes(), rattrs); ok {
			b = append(b, 1)
			b = append(b, v.AsString()...)
		}
		b = append(b, 0)
	}
	s.keyScratch = b
	if ser, ok := r.series[string(b)]; ok {
		return ser
	}
	key := string(b)
	attrs := pcommon.NewMap()
	if s.limit > 0 && len(r.series) >= s.limit {
		key = overflowAttr
		if ser, ok := r.series[key]; ok {
			return ser
		}
		attrs.PutBool(overflowAttr, true)
	} else {
		for i, k := range spanLabels {
			if s.keep[i] {
				attrs.PutStr(k, values[i])
			}
		}
		for _, d := range s.dims {
			if v, ok := dimensionValue(d, span.Attributes(), rattrs); ok {
				v.CopyTo(attrs.PutEmpty(d.Name))
			}
		}
	}
	ser := &sizeSeries{attrs: attrs, start: ts}
	r.series[key] = ser
	return ser
}

// dimensionValue is the connector's lookup: the span's attribute, else the
// resource's, else the configured default.
func dimensionValue(d spanmetricsconnector.Dimension, span, resource pcommon.Map) (pcommon.Value, bool) {
	if v, ok := span.Get(d.Name); ok {
		return v, true
	}
	if v, ok := resource.Get(d.Name); ok {
		return v, true
	}
	if d.Default != nil {
		return pcommon.NewValueStr(*d.Default), true
	}
	return pcommon.Value{}, false
}

// appendTo writes the counters into a flush of the connector, then forgets
// the resources idle for metrics_expiration (cumulative) or everything
// (delta).
func (s *spanSizes) appendTo(md pmetric.Metrics, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := pcommon.NewTimestampFromTime(now)
	for key, r := range s.resources {
		if len(r.series) == 0 {
			continue
		}
		rm := md.ResourceMetrics().AppendEmpty()
		r.attrs.CopyTo(rm.Resource().Attributes())
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName("spanmetricsconnector")
		m := sm.Metrics().AppendEmpty()
		m.SetName(s.name)
		sum := m.SetEmptySum()
		sum.SetIsMonotonic(true)
		if s.delta {
			sum.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		} else {
			sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		}
		for _, ser := range r.series {
			dp := sum.DataPoints().AppendEmpty()
			ser.attrs.CopyTo(dp.Attributes())
			dp.SetStartTimestamp(ser.start)
			if s.delta {
				dp.SetStartTimestamp(s.lastFlush)
			}
			dp.SetTimestamp(ts)
			dp.SetIntValue(ser.bytes)
		}
		if s.delta || (s.expiration > 0 && now.Sub(r.lastSeen) >= s.expiration) {
			delete(s.resources, key)
		}
	}
	s.lastFlush = ts
}

// spanKindName and statusCodeName are the values the connector writes
// (the OTLP enum names), which Tempo writes too.
func spanKindName(k ptrace.SpanKind) string {
	switch k {
	case ptrace.SpanKindInternal:
		return "SPAN_KIND_INTERNAL"
	case ptrace.SpanKindServer:
		return "SPAN_KIND_SERVER"
	case ptrace.SpanKindClient:
		return "SPAN_KIND_CLIENT"
	case ptrace.SpanKindProducer:
		return "SPAN_KIND_PRODUCER"
	case ptrace.SpanKindConsumer:
		return "SPAN_KIND_CONSUMER"
	}
	return "SPAN_KIND_UNSPECIFIED"
}

func statusCodeName(c ptrace.StatusCode) string {
	switch c {
	case ptrace.StatusCodeOk:
		return "STATUS_CODE_OK"
	case ptrace.StatusCodeError:
		return "STATUS_CODE_ERROR"
	}
	return "STATUS_CODE_UNSET"
}
