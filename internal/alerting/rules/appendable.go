package rules

import (
	"context"

	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/storage"
)

// appendable adapts the store's storage.AppendableV2 (promstorage, as
// remote write uses it) to the storage.Appendable the rules engine takes:
// recording-rule samples, ALERTS and ALERTS_FOR_STATE and their stale
// markers are written into the metrics store on Commit.
type appendable struct{ v2 storage.AppendableV2 }

var _ storage.Appendable = appendable{}

func (a appendable) Appender(ctx context.Context) storage.Appender {
	return &appenderV1{app: a.v2.AppenderV2(ctx)}
}

type appenderV1 struct {
	app storage.AppenderV2
}

func (a *appenderV1) Append(ref storage.SeriesRef, l labels.Labels, t int64, v float64) (storage.SeriesRef, error) {
	return a.app.Append(ref, l, 0, t, v, nil, nil, storage.AppendV2Options{})
}

func (a *appenderV1) AppendHistogram(ref storage.SeriesRef, l labels.Labels, t int64, h *histogram.Histogram, fh *histogram.FloatHistogram) (storage.SeriesRef, error) {
	return a.app.Append(ref, l, 0, t, 0, h, fh, storage.AppendV2Options{})
}

func (a *appenderV1) AppendHistogramSTZeroSample(ref storage.SeriesRef, _ labels.Labels, _, _ int64, _ *histogram.Histogram, _ *histogram.FloatHistogram) (storage.SeriesRef, error) {
	return ref, nil // rule output has no start timestamps
}

func (a *appenderV1) AppendSTZeroSample(ref storage.SeriesRef, _ labels.Labels, _, _ int64) (storage.SeriesRef, error) {
	return ref, nil
}

func (a *appenderV1) AppendExemplar(ref storage.SeriesRef, _ labels.Labels, _ exemplar.Exemplar) (storage.SeriesRef, error) {
	return ref, nil // rules produce no exemplars
}

func (a *appenderV1) UpdateMetadata(ref storage.SeriesRef, _ labels.Labels, _ metadata.Metadata) (storage.SeriesRef, error) {
	return ref, nil
}

func (a *appenderV1) SetOptions(*storage.AppendOptions) {}

func (a *appenderV1) Commit() error { return a.app.Commit() }

func (a *appenderV1) Rollback() error { return a.app.Rollback() }
