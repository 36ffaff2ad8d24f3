package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/metricgen"
)

// FileName is the database file inside Config.Dir.
const FileName = "overlook.duckdb"

var _ store.Store = (*Store)(nil)

// Store is the embedded DuckDB backend. It is safe for concurrent use.
type Store struct {
	// noCountIndex (tests) makes count charts read every part instead of
	// the parts' per-minute counts (chart_counts.go).
	noCountIndex bool
	// tqHexIDs (tests, benchmarks) makes TraceQL searches read the parts
	// view's hex IDs, as before traceQLRawTraces and SearchOptions.RawIDs.
	tqHexIDs bool

	cfg       Config
	log       *slog.Logger
	path      string
	connector swapConnector // s.db's; a reopen swaps its instance (health.go)
	db        *sql.DB       // readers, retention, checkpoints
	health    health
	gate      commitGate
	maint     sync.Mutex // one checkpoint or retention run at a time
	cat       catalogue  // the metrics in the tables, for MetricInfos
	// gens are the metric points' write generations per hour
	// (metrics_generations.go).
	gens *metricgen.Tracker

	logs, traces, metrics *writer
	// partTraces and partLogs keep spans and log records with LayoutParts
	// (parts.go); nil with LayoutDuckDB.
	partTraces, partLogs *signalParts
	// partSessions keeps browser session recordings (hyperdx_sessions) as
	// parts with either layout (sessions.go).
	partSessions *signalParts

	// mat is the database's materialised attribute columns, layouts the
	// chunk shapes of its tables, dialect renders queries that use them.
	mat     schema.MaterializedSet
	layouts *[numTables]*chunkLayout
	dialect query.Dialect

	stop      chan struct{}
	bg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// openPaths guards against opening one database twice in this process:
// DuckDB's file lock only excludes other processes.
var openPaths sync.Map

// Open opens (creating if needed) the database in cfg.Dir and starts the
// writers, the background checkpointer and the retention loop. Only one
// Store, in one process, may use a data directory at a time.
func Open(cfg Config, logger *slog.Logger) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("duckdb store config: %w", err)
	}
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	abs, err := filepath.Abs(filepath.Join(cfg.Dir, FileName))
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if _, loaded := openPaths.LoadOrStore(abs, true); loaded {
		return nil, fmt.Errorf("open %s: the data dir %s is already in use by this process", abs, cfg.Dir)
	}
	s, err := open(cfg, logger, abs)
	if err != nil {
		openPaths.Delete(abs)
		return nil, err
	}
	return s, nil
}

func open(cfg Config, logger *slog.Logger, path string) (*Store, error) {
	if err := createFile(path, cfg.BlockSize); err != nil {
		return nil, err
	}
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		if strings.Contains(err.Error(), "Could not set lock") {
			return nil, fmt.Errorf("open %s: another overlook process is running with data dir %s "+
				"(stop it or choose another data dir): %w", path, cfg.Dir, err)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{
		cfg: cfg, log: logger, path: path,
		stop: make(chan struct{}), gens: metricgen.New(),
	}
	s.connector.cur = connector
	s.db = sql.OpenDB(&s.connector)
	fail := func(err error) (*Store, error) {
		_ = s.db.Close()
		return nil, err
	}
	if err := s.configure(); err != nil {
		return fail(err)
	}
	if err := s.migrate(); err != nil {
		return fail(err)
	}
	s.layouts = materializedLayouts(s.mat)
	s.dialect = query.WithMaterialized(query.DuckDB, s.mat)
	if cfg.Layout == LayoutParts {
		if err := s.openParts(context.Background()); err != nil {
			return fail(errors.Join(err, s.closeParts()))
		}
	}
	if err := s.openSessions(context.Background()); err != nil {
		return fail(errors.Join(err, s.closeParts()))
	}
	ws := make([]*writer, 0, 3)
	for _, g := range []struct {
		name    string
		conns   int
		session []string
	}{{"logs", cfg.WriterConns, nil}, {"traces", cfg.WriterConns, nil}, {"metrics", 1, metricsWriterSession}} {
		var conns []*rawConn
		for range g.conns {
			conn, err := openWriterConn(path, g.session)
			if err != nil {
				for _, c := range conns {
					c.close()
				}
				for _, w := range ws {
					_ = w.close()
				}
				return fail(fmt.Errorf("connect %s writer: %w", g.name, err))
			}
			conns = append(conns, conn)
		}
		w := newWriter(g.name, conns, cfg.MaxPendingRows, &s.gate, logger)
		w.session = g.session
		w.maxQueueWait = cfg.MaxQueueWait
		w.maxCommitRows = cfg.MaxCommitRows
		w.admit = s.admit
		w.noteError = s.noteError
		ws = append(ws, w)
	}
	s.logs, s.traces, s.metrics = ws[0], ws[1], ws[2]
	if err := s.rebuildCatalogue(context.Background(), allMetricKinds()...); err != nil {
		// MetricInfos reads the tables instead.
		logger.Warn("metric catalogue not built", "err", err)
	}
	s.measureDisk()
	s.probe()
	s.bg.Add(3)
	go s.checkpointLoop()
	go s.retentionLoop()
	go s.healthLoop()
	logger.Info("duckdb store opened", "path", path)
	return s, nil
}

// configure applies the DuckDB settings; the reasons are measured in
// bench_test.go and DESIGN.md §2.
func (s *Store) configure() error {
	stmts := []string{
		// DuckDB checkpoints automatically once the WAL reaches
		// checkpoint_threshold (16 MB), inside the commit that crossed it:
		// that Flush stalls 1–2 s. The checkpointer (checkpoint.go) does it
		// in the background at CheckpointWALBytes instead; DuckDB's own
		// trigger stays as a backstop at twice that.
		fmt.Sprintf("SET GLOBAL checkpoint_threshold = '%dB'", 2*s.cfg.CheckpointWALBytes),
		// Each batch's rows arrive roughly in time order; we never rely on
		// insertion order (every read has ORDER BY), and not preserving it
		// lets INSERT ... SELECT run without an order-keeping sink.
		"SET GLOBAL preserve_insertion_order = false",
		// Parts are immutable files read again and again: DuckDB keeps
		// their footers (schema, row group statistics) instead of parsing
		// them on every query (trace by ID 23–35 → 14 ms, parts bench).
		"SET GLOBAL parquet_metadata_cache = true",
	}
	if s.cfg.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET GLOBAL threads = %d", s.cfg.Threads))
	}
	if s.cfg.MemoryLimit != "" {
		stmts = append(stmts, fmt.Sprintf("SET GLOBAL memory_limit = '%s'",
			strings.ReplaceAll(s.cfg.MemoryLimit, "'", "''")))
	}
	for _, q := range stmts {
		if _, err := s.db.Exec(q); err != nil {
			return fmt.Errorf("configure duckdb (%s): %w", q, err)
		}
	}
	return nil
}

// InsertLogs stores every log record of ld; see store.LogInserter.
// Conversion happens in the caller's goroutine; ld is not retained.
func (s *Store) InsertLogs(ctx context.Context, ld plog.Logs) error {
	if s.partLogs != nil {
		if err := s.admit(); err != nil {
			return fmt.Errorf("insert logs: %w", err)
		}
		if err := s.partLogs.t.InsertLogs(ctx, ld); err != nil {
			return fmt.Errorf("insert logs: %w", s.noteError(err))
		}
		return nil
	}
	var b batch
	b.add(logChunks(s.layouts, ld))
	if err := s.logs.submit(ctx, b); err != nil {
		return fmt.Errorf("insert logs: %w", err)
	}
	return nil
}

// InsertTraces stores every span of td and the trace's time window; see
// store.TraceInserter.
func (s *Store) InsertTraces(ctx context.Context, td ptrace.Traces) error {
	if s.partTraces != nil {
		if err := s.admit(); err != nil {
			return fmt.Errorf("insert traces: %w", err)
		}
		if err := s.partTraces.t.InsertTraces(ctx, td); err != nil {
			return fmt.Errorf("insert traces: %w", s.noteError(err))
		}
		return nil
	}
	var b batch
	spans, ids := traceChunks(s.layouts, td)
	b.add(spans)
	b.add(ids)
	b.rows -= ids.rows // bound the queue by spans, the index rows ride along
	if err := s.traces.submit(ctx, b); err != nil {
		return fmt.Errorf("insert traces: %w", err)
	}
	return nil
}

// InsertMetrics stores every data point of md; see store.MetricInserter.
func (s *Store) InsertMetrics(ctx context.Context, md pmetric.Metrics) error {
	return s.InsertMetricsExt(ctx, md, store.MetricsExt{})
}

var _ store.MetricExtInserter = (*Store)(nil)

// InsertMetricsExt stores every data point of md with the native-histogram
// details of ext; see store.MetricExtInserter.
func (s *Store) InsertMetricsExt(ctx context.Context, md pmetric.Metrics, ext store.MetricsExt) error {
	if err := checkExt(md, ext); err != nil {
		return fmt.Errorf("insert metrics: %w", err)
	}
	var b batch
	for _, t := range metricChunks(md, ext) {
		b.add(t)
	}
	cb := catalogueBatch(md)
	err := s.metrics.submit(ctx, b)
	if err == nil {
		s.cat.addBatch(cb) // only once committed: never list rolled-back points
	}
	// Bump the write generations only now that queries see the rows: they
	// are committed, and listed by the catalogue that MetricInfos answers
	// from (a query reading the new generation before the catalogue lists
	// a new metric or hour would miss it, and cache that answer forever;
	// see internal/store/metricgen). After a failed write too: a spare
	// bump costs a cache miss, never a wrong answer.
	s.bumpBatch(cb)
	if err != nil {
		return fmt.Errorf("insert metrics: %w", err)
	}
	return nil
}

// Stats reports the size of the database file and its WAL, and the
// store's health and disk headroom.
func (s *Store) Stats() store.Stats {
	var st store.Stats
	for _, p := range []string{s.path, s.path + ".wal"} {
		if fi, err := os.Stat(p); err == nil {
			st.DiskBytes += fi.Size()
		}
	}
	st.DiskBytes += s.partsDiskBytes()
	st.DiskFreeBytes, st.FileFreeBytes, st.MinFreeDiskBytes = s.DiskHeadroom()
	st.Unhealthy = s.Health()
	return st
}

// Close stops the background work, commits what the writers have queued,
// checkpoints the WAL into the database file and closes it. Inserts after
// (or racing with) Close fail with store.ErrClosed.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		s.bg.Wait()
		var errs []error
		if err := s.closeParts(); err != nil {
			errs = append(errs, err)
		}
		for _, w := range []*writer{s.logs, s.traces, s.metrics} {
			if err := w.close(); err != nil {
				errs = append(errs, err)
			}
		}
		if _, err := s.db.Exec("CHECKPOINT"); err != nil {
			errs = append(errs, fmt.Errorf("checkpoint on close: %w", err))
		}
		if err := s.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
		openPaths.Delete(s.path)
		s.closeErr = errors.Join(errs...)
		s.log.Info("duckdb store closed", "path", s.path, "err", s.closeErr)
	})
	return s.closeErr
}
