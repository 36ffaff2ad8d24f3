//go:build duckdb_arrow

package main

import (
	"context"
	"path/filepath"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store/prototype/duckarrow"
)

func init() {
	for name, l := range map[string]duckarrow.Layout{"arrow-map": duckarrow.LayoutMap, "arrow-kv": duckarrow.LayoutKV} {
		studySinks[name] = func(dir string) (studySink, error) {
			st, err := duckarrow.Open(duckarrow.Config{Path: filepath.Join(dir, "overlook.duckdb"), Layout: l})
			return &arrowSink{st: st}, err
		}
	}
}

type arrowSink struct{ st *duckarrow.Store }

func (s *arrowSink) insert(ctx context.Context, td ptrace.Traces, _ []byte) error {
	return s.st.InsertTraces(ctx, td)
}

// close checkpoints, but keeps the database open for the reads.
func (s *arrowSink) close() error {
	_, err := s.st.DB().Exec("CHECKPOINT")
	return err
}

func (s *arrowSink) query(ctx context.Context) (map[string]func(string) (int, error), func() (int64, error), func(), error) {
	look, count := duckLookups(ctx, s.st.DB())
	return look, count, func() { s.st.Close() }, nil
}
