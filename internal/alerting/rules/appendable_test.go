package rules

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/store"
)

// flakyStore refuses the first `refuse` commits as overloaded, then
// keeps what is committed.
type flakyStore struct {
	refuse, commits int
	stored          []float64
}

func (f *flakyStore) AppenderV2(context.Context) storage.AppenderV2 { return &flakyAppender{f: f} }

type flakyAppender struct {
	storage.AppenderV2
	f    *flakyStore
	vals []float64
}

func (a *flakyAppender) Append(_ storage.SeriesRef, _ labels.Labels, _, _ int64, v float64, _ *histogram.Histogram,
	_ *histogram.FloatHistogram, _ storage.AppendV2Options) (storage.SeriesRef, error) {
	a.vals = append(a.vals, v)
	return 0, nil
}

func (a *flakyAppender) Commit() error {
	a.f.commits++
	if a.f.commits <= a.f.refuse {
		return fmt.Errorf("insert metrics: %w", store.ErrOverloaded)
	}
	a.f.stored = append(a.f.stored, a.vals...)
	return nil
}

func (a *flakyAppender) Rollback() error { return nil }

// TestAppenderRetriesOverload: rule output refused because the store is
// saturated is written once the store takes it, not lost; other errors
// are returned at once.
func TestAppenderRetriesOverload(t *testing.T) {
	fs := &flakyStore{refuse: 2}
	app := appendable{fs}.Appender(context.Background())
	for i := range 3 {
		if _, err := app.Append(0, labels.FromStrings("__name__", "x"), int64(i), float64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if fs.commits != 3 || fmt.Sprint(fs.stored) != "[0 1 2]" {
		t.Fatalf("%d commits, stored %v; want 3 commits (2 refused) and [0 1 2]", fs.commits, fs.stored)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	app = appendable{&flakyStore{refuse: 100}}.Appender(ctx)
	_, _ = app.Append(0, labels.FromStrings("__name__", "x"), 0, 1)
	if err := app.Commit(); !errors.Is(err, store.ErrOverloaded) {
		t.Fatalf("commit while stopping: %v, want the overload error", err)
	}
}
