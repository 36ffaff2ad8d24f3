package promapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/prompb"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/ingest/inflight"
	"github.com/overlook-dev/overlook/internal/store"
)

// refuseInflight answers a remote write that does not fit
// ingest::max_inflight_bytes: 503 with Retry-After, which Prometheus
// retries (it retries 429 only with retry_on_http_429).
func (h *Handler) refuseInflight(w http.ResponseWriter, err error) int {
	if h.opts.Metrics != nil {
		h.opts.Metrics.Ingest.InflightRefused.WithLabelValues("remote_write").Inc()
	}
	w.Header().Set("Retry-After", "1")
	http.Error(w, err.Error(), http.StatusServiceUnavailable)
	return http.StatusServiceUnavailable
}

// Remote-write protobuf messages, as named in the Content-Type's proto
// parameter (https://prometheus.io/docs/specs/prw/remote_write_spec_2_0/).
const (
	protoV1 = "prometheus.WriteRequest"
	protoV2 = "io.prometheus.write.v2.Request"
)

// rwRequest is a decoded remote-write request.
type rwRequest struct {
	series []rwSeries
	// metadata is the request's metadata by family name: a 1.0 request's
	// metadata list, or what the series of a 2.0 request carry.
	metadata map[string]metadata.Metadata
}

// rwSeries is one series of a decoded remote-write request.
type rwSeries struct {
	lset    labels.Labels
	meta    metadata.Metadata
	samples []rwSample
}

type rwSample struct {
	st, t int64
	v     float64
	fh    *histogram.FloatHistogram
	// exs are the series' exemplars this sample carries (attachExemplars).
	exs []exemplar.Exemplar
}

// attachExemplars gives each exemplar of a series to its first sample at
// or after the exemplar's time (the last sample if none is): exemplars are
// stored with points. A series without samples drops its exemplars.
func attachExemplars(samples []rwSample, exs []exemplar.Exemplar) {
	if len(samples) == 0 {
		return
	}
	for _, e := range exs {
		i := len(samples) - 1
		for j := range samples {
			if samples[j].t >= e.Ts {
				i = j
				break
			}
		}
		samples[i].exs = append(samples[i].exs, e)
	}
}

// protoOf returns the message a Content-Type names: v1 when absent.
func protoOf(contentType string) (string, error) {
	if contentType == "" {
		return protoV1, nil
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("content type %q: %w", contentType, err)
	}
	if mt != "application/x-protobuf" {
		return "", fmt.Errorf("content type %q: want application/x-protobuf", contentType)
	}
	switch p := params["proto"]; p {
	case "", protoV1:
		return protoV1, nil
	case protoV2:
		return protoV2, nil
	default:
		return "", fmt.Errorf("content type %q: unknown proto %q (want %s or %s)", contentType, p, protoV1, protoV2)
	}
}

// decodeWrite decodes a remote-write body of the given message type,
// decompressing it first (snappy, block format) when compressed. maxBytes
// bounds the decompressed size.
func decodeWrite(proto string, body []byte, compressed bool, maxBytes int64) (rwRequest, error) {
	raw := body
	if compressed {
		n, err := snappy.DecodedLen(body)
		if err != nil {
			return rwRequest{}, fmt.Errorf("snappy: %w", err)
		}
		if int64(n) > maxBytes {
			return rwRequest{}, fmt.Errorf("decompressed body of %d bytes exceeds the limit of %d", n, maxBytes)
		}
		if raw, err = snappy.Decode(nil, body); err != nil {
			return rwRequest{}, fmt.Errorf("snappy: %w", err)
		}
	}
	if proto == protoV2 {
		series, err := decodeV2(raw)
		return rwRequest{series: series, metadata: seriesMetadata(series)}, err
	}
	return decodeV1(raw)
}

func decodeV1(raw []byte) (rwRequest, error) {
	var req prompb.WriteRequest
	if err := req.Unmarshal(raw); err != nil {
		return rwRequest{}, fmt.Errorf("decode %s: %w", protoV1, err)
	}
	metas := make(map[string]metadata.Metadata, len(req.Metadata))
	for _, m := range req.Metadata {
		metas[m.MetricFamilyName] = metadata.Metadata{Type: v1Type(m.Type), Help: m.Help, Unit: m.Unit}
	}
	var b labels.ScratchBuilder
	out := make([]rwSeries, 0, len(req.Timeseries))
	for _, ts := range req.Timeseries {
		b.Reset()
		for _, l := range ts.Labels {
			b.Add(l.Name, l.Value)
		}
		b.Sort()
		s := rwSeries{lset: b.Labels()}
		s.meta = familyMeta(metas, s.lset.Get(labels.MetricName))
		for _, smp := range ts.Samples {
			s.samples = append(s.samples, rwSample{t: smp.Timestamp, v: smp.Value})
		}
		for _, h := range ts.Histograms {
			fh := h.ToFloatHistogram()
			if err := fh.Validate(); err != nil {
				return rwRequest{}, fmt.Errorf("series %s: invalid native histogram: %w", s.lset, err)
			}
			s.samples = append(s.samples, rwSample{t: h.Timestamp, fh: fh})
		}
		exs := make([]exemplar.Exemplar, 0, len(ts.Exemplars))
		for _, e := range ts.Exemplars {
			exs = append(exs, e.ToExemplar(&b, nil))
		}
		attachExemplars(s.samples, exs)
		out = append(out, s)
	}
	return rwRequest{series: out, metadata: metas}, nil
}

func v1Type(t prompb.MetricMetadata_MetricType) model.MetricType {
	switch t {
	case prompb.MetricMetadata_COUNTER:
		return model.MetricTypeCounter
	case prompb.MetricMetadata_GAUGE:
		return model.MetricTypeGauge
	case prompb.MetricMetadata_HISTOGRAM:
		return model.MetricTypeHistogram
	case prompb.MetricMetadata_GAUGEHISTOGRAM:
		return model.MetricTypeGaugeHistogram
	case prompb.MetricMetadata_SUMMARY:
		return model.MetricTypeSummary
	case prompb.MetricMetadata_INFO:
		return model.MetricTypeInfo
	case prompb.MetricMetadata_STATESET:
		return model.MetricTypeStateset
	}
	return model.MetricTypeUnknown
}

func decodeV2(raw []byte) ([]rwSeries, error) {
	var req writev2.Request
	if err := req.Unmarshal(raw); err != nil {
		return nil, fmt.Errorf("decode %s: %w", protoV2, err)
	}
	var b labels.ScratchBuilder
	out := make([]rwSeries, 0, len(req.Timeseries))
	for i, ts := range req.Timeseries {
		ls, err := ts.ToLabels(&b, req.Symbols)
		if err != nil {
			return nil, fmt.Errorf("series %d: %w", i, err)
		}
		meta, err := ts.ToMetadata(req.Symbols)
		if err != nil {
			return nil, fmt.Errorf("series %d (%s): %w", i, ls, err)
		}
		s := rwSeries{lset: ls, meta: meta}
		for _, smp := range ts.Samples {
			s.samples = append(s.samples, rwSample{st: smp.StartTimestamp, t: smp.Timestamp, v: smp.Value})
		}
		for _, h := range ts.Histograms {
			fh := h.ToFloatHistogram()
			if err := fh.Validate(); err != nil {
				return nil, fmt.Errorf("series %s: invalid native histogram: %w", ls, err)
			}
			s.samples = append(s.samples, rwSample{st: h.StartTimestamp, t: h.Timestamp, fh: fh})
		}
		exs := make([]exemplar.Exemplar, 0, len(ts.Exemplars))
		for _, e := range ts.Exemplars {
			ex, err := e.ToExemplar(&b, req.Symbols)
			if err != nil {
				return nil, fmt.Errorf("series %s: exemplar: %w", ls, err)
			}
			exs = append(exs, ex)
		}
		attachExemplars(s.samples, exs)
		out = append(out, s)
	}
	return out, nil
}

// remoteWrite is POST /api/v1/write: Prometheus remote write 1.0 and 2.0
// (protobuf, snappy). Samples are stored as OTLP metrics through
// promstorage.Appendable, committed before the answer (204). Malformed
// requests get 400 (senders drop them); a saturated store, or requests in
// flight at ingest::max_inflight_bytes, 503 (senders retry). Samples that cannot be stored (series without a name or with
// duplicate labels; native histograms with non-integer counts when the
// store lacks store.MetricExtInserter) are left out and reported with 400
// after the rest is stored.
func (h *Handler) remoteWrite(w http.ResponseWriter, r *http.Request) int {
	fail := func(code int, format string, args ...any) int {
		http.Error(w, fmt.Sprintf(format, args...), code)
		return code
	}
	if h.appender == nil {
		return fail(http.StatusServiceUnavailable, "remote write is not available: the store is not open")
	}
	proto, err := protoOf(r.Header.Get("Content-Type"))
	if err != nil {
		return fail(http.StatusUnsupportedMediaType, "%v", err)
	}
	// The API server (collector confighttp) decompresses snappy bodies
	// itself and removes the header; an uncompressed body is accepted too.
	enc := r.Header.Get("Content-Encoding")
	if enc != "" && enc != "snappy" {
		return fail(http.StatusUnsupportedMediaType, "content encoding %q: only snappy is supported", enc)
	}
	// The bound on requests in flight: refused (503, Retry-After: senders
	// retry) before the body is read when full, again once the
	// decompressed size is known; released when the request is answered.
	hold, err := h.opts.Inflight.Acquire(inflight.Weight(max(r.ContentLength, 1)))
	if err != nil {
		return h.refuseInflight(w, err)
	}
	defer hold.Release()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxWriteBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail(http.StatusRequestEntityTooLarge, "body exceeds %d bytes", h.opts.MaxWriteBytes)
		}
		return fail(http.StatusBadRequest, "read body: %v", err)
	}
	// The compressed body stays referenced while its decompressed copy
	// is decoded: both are charged.
	size := int64(len(body))
	if enc == "snappy" {
		if n, derr := snappy.DecodedLen(body); derr == nil && int64(n) <= h.opts.MaxWriteBytes {
			size += int64(n)
		}
	}
	if err := hold.GrowTo(inflight.Weight(size)); err != nil {
		return h.refuseInflight(w, err)
	}
	req, err := decodeWrite(proto, body, enc == "snappy", h.opts.MaxWriteBytes)
	if err != nil {
		return fail(http.StatusBadRequest, "%v", err)
	}
	req, rejected := sanitizeWrite(req)
	req, answered, refused := h.limitWrite(w, r, req)
	if answered != 0 {
		return answered
	}
	if refused != nil {
		rejected = append(rejected, refused)
	}
	nRejected := len(rejected)
	if err := h.saveMetadata(r.Context(), req.metadata); err != nil {
		if errors.Is(err, store.ErrOverloaded) {
			return fail(http.StatusServiceUnavailable, "%v", err)
		}
		h.opts.Logger.Error("remote write: store metadata", "err", err)
		return fail(http.StatusInternalServerError, "%v", err)
	}
	h.families.fill(req.series)
	series := req.series
	app := h.appender.AppenderV2(r.Context())
	var floats, hists, exs int
	for _, s := range series {
		opts := storage.AppendV2Options{MetricFamilyName: s.lset.Get(labels.MetricName), Metadata: s.meta}
		for _, smp := range s.samples {
			opts.Exemplars = smp.exs
			if _, err := app.Append(0, s.lset, smp.st, smp.t, smp.v, nil, smp.fh, opts); err != nil {
				if nRejected++; len(rejected) < 10 {
					rejected = append(rejected, err)
				}
				continue
			}
			exs += len(smp.exs)
			if smp.fh != nil {
				hists++
			} else {
				floats++
			}
		}
	}
	if err := app.Commit(); err != nil {
		if errors.Is(err, store.ErrOverloaded) {
			return fail(http.StatusServiceUnavailable, "%v", err)
		}
		h.opts.Logger.Error("remote write: store samples", "err", err)
		return fail(http.StatusInternalServerError, "%v", err)
	}
	if proto == protoV2 {
		w.Header().Set("X-Prometheus-Remote-Write-Samples-Written", strconv.Itoa(floats))
		w.Header().Set("X-Prometheus-Remote-Write-Histograms-Written", strconv.Itoa(hists))
		w.Header().Set("X-Prometheus-Remote-Write-Exemplars-Written", strconv.Itoa(exs))
	}
	if len(rejected) > 0 {
		if nRejected > 10 {
			rejected = append(rejected[:10], fmt.Errorf("and %d more", nRejected-10))
		}
		return fail(http.StatusBadRequest, "stored %d samples and %d histograms; rejected some: %v",
			floats, hists, errors.Join(rejected...))
	}
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}
