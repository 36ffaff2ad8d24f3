package rules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/store"
)

// maxCommitRetry bounds how long a rule's output is retried while the
// store refuses writes as overloaded (store.ErrOverloaded): past it the
// evaluation fails (prometheus_rule_evaluation_failures_total, the rule's
// lastError).
const maxCommitRetry = 30 * time.Second

// appendable adapts the store's storage.AppendableV2 (promstorage, as
// remote write uses it) to the storage.Appendable the rules engine takes:
// recording-rule samples, ALERTS and ALERTS_FOR_STATE and their stale
// markers are written into the metrics store on Commit. The samples are
// kept until the store took them: a commit refused because the store is
// saturated is retried with backoff, so rule output is not lost to a
// burst of ingest (or of rule evaluations).
type appendable struct{ v2 storage.AppendableV2 }

var _ storage.Appendable = appendable{}

func (a appendable) Appender(ctx context.Context) storage.Appender {
	return &appenderV1{ctx: ctx, v2: a.v2}
}

type sample struct {
	ls labels.Labels
	t  int64
	v  float64
	h  *histogram.Histogram
	fh *histogram.FloatHistogram
}

type appenderV1 struct {
	ctx     context.Context
	v2      storage.AppendableV2
	samples []sample
}

func (a *appenderV1) Append(ref storage.SeriesRef, l labels.Labels, t int64, v float64) (storage.SeriesRef, error) {
	a.samples = append(a.samples, sample{ls: l, t: t, v: v})
	return ref, nil
}

func (a *appenderV1) AppendHistogram(ref storage.SeriesRef, l labels.Labels, t int64, h *histogram.Histogram, fh *histogram.FloatHistogram) (storage.SeriesRef, error) {
	a.samples = append(a.samples, sample{ls: l, t: t, h: h, fh: fh})
	return ref, nil
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

// Commit writes the samples; while the store refuses them as
// overloaded, it waits (100ms, doubling to 2s) and tries again, for up
// to maxCommitRetry or until the engine stops.
func (a *appenderV1) Commit() error {
	defer a.Rollback()
	if len(a.samples) == 0 {
		return nil
	}
	deadline := time.Now().Add(maxCommitRetry)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := a.commitOnce()
		if !errors.Is(err, store.ErrOverloaded) || time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-a.ctx.Done():
			return fmt.Errorf("%w (stopped while retrying)", err)
		case <-time.After(wait):
		}
	}
}

func (a *appenderV1) commitOnce() error {
	app := a.v2.AppenderV2(a.ctx)
	for _, s := range a.samples {
		if _, err := app.Append(0, s.ls, 0, s.t, s.v, s.h, s.fh, storage.AppendV2Options{}); err != nil {
			_ = app.Rollback()
			return err
		}
	}
	return app.Commit()
}

func (a *appenderV1) Rollback() error {
	a.samples = nil
	return nil
}
