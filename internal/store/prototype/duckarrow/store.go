//go:build duckdb_arrow

package duckarrow

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store"
)

// Config of the prototype.
type Config struct {
	Path   string // database file
	Layout Layout
	// CheckpointBytes is DuckDB's checkpoint_threshold (default 512 MB,
	// as today's store: 2 × CheckpointWALBytes).
	CheckpointBytes int64
}

// Store inserts spans through Arrow. It implements store.TraceInserter.
type Store struct {
	cfg   Config
	db    *sql.DB
	conn  *sql.Conn
	ar    *duckdb.Arrow
	sch   *arrow.Schema
	mem   memory.Allocator
	reqs  chan *req
	done  chan struct{}
	once  sync.Once
	close chan struct{}
}

var _ store.TraceInserter = (*Store)(nil)

type req struct {
	rec arrow.RecordBatch
	err chan error
}

// Open opens (creating) the database and its otel_traces table.
func Open(cfg Config) (*Store, error) {
	if cfg.CheckpointBytes == 0 {
		cfg.CheckpointBytes = 512 << 20
	}
	db, err := sql.Open("duckdb", cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg.Path, err)
	}
	ctx := context.Background()
	for _, q := range []string{
		DDL(cfg.Layout),
		fmt.Sprintf("SET GLOBAL checkpoint_threshold = '%dB'", cfg.CheckpointBytes),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{cfg: cfg, db: db, conn: conn, sch: schemaOf(cfg.Layout), mem: memory.NewGoAllocator(),
		reqs: make(chan *req, 64), done: make(chan struct{}), close: make(chan struct{})}
	if err := conn.Raw(func(dc any) error {
		s.ar, err = duckdb.NewArrowFromConn(dc.(driver.Conn))
		return err
	}); err != nil {
		conn.Close()
		db.Close()
		return nil, fmt.Errorf("arrow interface: %w", err)
	}
	go s.writer()
	return s, nil
}

// InsertTraces converts td to a record batch in the caller's goroutine
// and waits for the commit that includes it.
func (s *Store) InsertTraces(ctx context.Context, td ptrace.Traces) error {
	r := &req{rec: record(s.mem, s.sch, s.cfg.Layout, td), err: make(chan error, 1)}
	select {
	case s.reqs <- r:
	case <-s.close:
		r.rec.Release()
		return store.ErrClosed
	case <-ctx.Done():
		r.rec.Release()
		return ctx.Err()
	}
	return <-r.err
}

// writer commits every batch waiting, in one transaction.
func (s *Store) writer() {
	defer close(s.done)
	ctx := context.Background()
	for {
		var group []*req
		select {
		case r := <-s.reqs:
			group = append(group, r)
		case <-s.close:
			return
		}
	drain:
		for {
			select {
			case r := <-s.reqs:
				group = append(group, r)
			default:
				break drain
			}
		}
		err := s.commit(ctx, group)
		for _, r := range group {
			r.rec.Release()
			r.err <- err
		}
	}
}

func (s *Store) commit(ctx context.Context, group []*req) (err error) {
	if _, err := s.conn.ExecContext(ctx, "BEGIN"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_, rerr := s.conn.ExecContext(ctx, "ROLLBACK")
			err = errors.Join(err, rerr)
		}
	}()
	recs := make([]arrow.RecordBatch, len(group))
	for i, r := range group {
		recs[i] = r.rec
	}
	rdr, err := array.NewRecordReader(s.sch, recs)
	if err != nil {
		return fmt.Errorf("record reader: %w", err)
	}
	defer rdr.Release()
	release, err := s.ar.RegisterView(rdr, "incoming")
	if err != nil {
		return fmt.Errorf("register arrow view: %w", err)
	}
	defer release()
	if _, err := s.conn.ExecContext(ctx, "INSERT INTO otel_traces BY NAME SELECT * FROM incoming"); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// DB is the database, for reads and pragma_storage_info.
func (s *Store) DB() *sql.DB { return s.db }

// Close stops the writer, checkpoints and closes.
func (s *Store) Close() error {
	s.once.Do(func() { close(s.close) })
	<-s.done
	_, err := s.conn.ExecContext(context.Background(), "CHECKPOINT")
	return errors.Join(err, s.conn.Close(), s.db.Close())
}
