package duckdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/overlook-dev/overlook/internal/store"
)

// A writer commits the batches of one signal group (logs; traces; metrics)
// with group commit: Insert* calls enqueue converted rows (filled data
// chunks) and wait; a committer goroutine takes everything queued, appends
// it in one transaction, commits once (one WAL fsync), and wakes every
// waiter with the result. A writer has one or more committers, each with
// its own connection: while one commits, the next can already append.
//
// Contracts:
//   - submit returns nil only after the batch is committed.
//   - The queue is bounded by maxPending rows (queued + being committed).
//     A batch that does not fit is refused at once with store.ErrOverloaded;
//     a single batch larger than maxPending is accepted only when nothing
//     else is pending, so that an oversized batch is not refused forever.
//   - The answer always tells the truth about the rows, so a client retry
//     never stores a batch twice: a waiter whose ctx ends while its batch is
//     still queued gets ctx.Err() at once and the batch is dropped; a batch
//     a committer has taken is appended only if its ctx is still live once
//     the committer holds the commit gate (a checkpoint may stall it there),
//     and its waiter then waits for that one commit (no checkpoint can
//     start meanwhile) and returns the commit's result, even past its
//     deadline.
//   - A failed commit fails every batch of its group, and none of their
//     rows is visible (the transaction is rolled back).
//   - A batch no committer has taken within maxQueueWait (a checkpoint
//     holds the gate, or the committers are saturated) is withdrawn and
//     refused with store.ErrOverloaded: a retryable refusal within the
//     bound, rather than an acknowledgement that arrives after the
//     client's own timeout (whose retry would then store it twice).
//   - admit, when set, is asked before a batch is queued; its error
//     (store.ErrUnavailable: the database is invalidated, the disk is
//     below its floor) refuses the batch at once.
//   - close commits what is queued, then stops; later submits get
//     store.ErrClosed.
type writer struct {
	name          string
	log           *slog.Logger
	maxPending    int
	maxQueueWait  time.Duration     // 0: unbounded
	maxCommitRows int               // rows one commit takes; 0: unbounded
	admit         func() error      // nil: always admitted
	session       []string          // settings of each connection (openWriterConn)
	noteError     func(error) error // classifies a failed commit; nil: as is
	gate          *commitGate

	mu       sync.Mutex
	queue    []*request
	pending  int
	closed   bool
	lastDone time.Time   // time of the last commit
	stats    writerStats // cumulative

	wake    chan struct{}
	stopped sync.WaitGroup
	cs      []*committer
}

// writerStats are cumulative counters of a writer.
type writerStats struct {
	Commits, Batches, Rows          int64
	Withdrawn                       int64 // batches withdrawn from the queue (client gone, max_queue_wait)
	Append, Flush, Commit, GateWait time.Duration
}

type request struct {
	ctx   context.Context
	b     batch
	done  chan error // buffered: a committer never blocks on a gone waiter
	taken bool       // a committer owns it (guarded by writer.mu)
}

// committer owns one connection and its appenders.
type committer struct {
	w         *writer
	conn      *rawConn
	appenders map[int]bindings.Appender
}

// metricsWriterSession are the settings of the metrics writer's
// connections. An appender's flush is an insert, which DuckDB runs in
// parallel and stores out of order unless insertion order is preserved
// (the store turns that off globally, store.go): a batch of 48k rows came
// out as its last 25k rows, then its first 23k. Kept in order, each
// series' points are stored in time order when written so (scrapes,
// exporters), and SelectMetrics reads them in insertion order with no
// re-sorting (docs/benchmarks.md, session 10).
var metricsWriterSession = []string{"SET SESSION preserve_insertion_order = true"}

// openWriterConn connects a writer to the database at path and applies
// the session settings.
func openWriterConn(path string, session []string) (*rawConn, error) {
	c, err := openRaw(path)
	if err != nil {
		return nil, err
	}
	for _, q := range session {
		if err := c.exec(q); err != nil {
			c.close()
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	return c, nil
}

// newWriter starts a writer with one committer per connection.
func newWriter(name string, conns []*rawConn, maxPending int, gate *commitGate, log *slog.Logger) *writer {
	w := &writer{
		name: name, log: log.With("writer", name), maxPending: maxPending, gate: gate,
		wake: make(chan struct{}, 1),
	}
	for _, conn := range conns {
		c := &committer{w: w, conn: conn, appenders: map[int]bindings.Appender{}}
		w.cs = append(w.cs, c)
		w.stopped.Add(1)
		go c.run()
	}
	return w
}

// submit enqueues b and waits for its commit. It takes ownership of b's
// chunks: they are freed once appended, or here when b is refused.
func (w *writer) submit(ctx context.Context, b batch) error {
	if len(b.tables) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		b.free()
		return err
	}
	if w.admit != nil {
		if err := w.admit(); err != nil {
			b.free()
			return err
		}
	}
	r := &request{ctx: ctx, b: b, done: make(chan error, 1)}
	w.mu.Lock()
	switch {
	case w.closed:
		w.mu.Unlock()
		b.free()
		return store.ErrClosed
	case w.pending > 0 && w.pending+b.rows > w.maxPending:
		pending := w.pending
		w.mu.Unlock()
		b.free()
		return fmt.Errorf("%w: %d %s rows are waiting for commit, the bound is %d "+
			"(extensions::overlook::storage::max_pending_rows); nothing of this batch was stored",
			store.ErrOverloaded, pending, w.name, w.maxPending)
	}
	w.pending += b.rows
	w.queue = append(w.queue, r)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	var expired <-chan time.Time
	if w.maxQueueWait > 0 {
		t := time.NewTimer(w.maxQueueWait)
		defer t.Stop()
		expired = t.C
	}
	var cause error
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		cause = ctx.Err()
	case <-expired:
		cause = fmt.Errorf("%w: the batch waited %s in the commit queue without being taken "+
			"(extensions::overlook::storage::max_queue_wait); nothing of it was stored",
			store.ErrOverloaded, w.maxQueueWait)
	}
	w.mu.Lock()
	if !r.taken {
		w.queue = slices.DeleteFunc(w.queue, func(q *request) bool { return q == r })
		w.pending -= b.rows
		w.stats.Withdrawn++
		w.mu.Unlock()
		b.free()
		return cause
	}
	w.mu.Unlock()
	// A committer owns the batch: it either drops it (its ctx has ended)
	// or is committing it now; report what happened.
	return <-r.done
}

func (c *committer) run() {
	w := c.w
	defer w.stopped.Done()
	for range w.wake {
		for {
			// Take the gate before the queue: while a checkpoint holds it,
			// batches stay queued, where a waiter that gives up can still
			// withdraw its batch.
			t0 := time.Now()
			w.gate.enter()
			gateWait := time.Since(t0)
			w.mu.Lock()
			reqs := w.takeQueued()
			closed := w.closed
			w.mu.Unlock()
			if len(reqs) == 0 {
				w.gate.leave()
				if closed {
					// Pass the close on to the other committers.
					select {
					case w.wake <- struct{}{}:
					default:
					}
					return
				}
				break
			}
			// More may be queued while this commit runs: let another
			// committer take it.
			select {
			case w.wake <- struct{}{}:
			default:
			}
			live, dropped := c.dropAbandoned(reqs)
			st := writerStats{GateWait: gateWait}
			var err error
			if len(live) > 0 {
				err = c.commit(live, &st)
				if err != nil && w.noteError != nil {
					err = w.noteError(err)
				}
			}
			w.gate.leave()
			rows := 0
			for _, r := range live {
				rows += r.b.rows
				r.b.free()
			}
			w.mu.Lock()
			w.pending -= rows + dropped
			w.lastDone = time.Now()
			if len(live) > 0 {
				w.stats.Commits++
			}
			w.stats.Batches += int64(len(live))
			w.stats.Rows += int64(rows)
			w.stats.Append += st.Append
			w.stats.Flush += st.Flush
			w.stats.Commit += st.Commit
			w.stats.GateWait += st.GateWait
			w.mu.Unlock()
			for _, r := range live {
				r.done <- err
			}
		}
	}
}

// takeQueued takes batches from the head of the queue for one commit: all
// of them, or while they fit in maxCommitRows (at least one). Callers hold
// w.mu.
func (w *writer) takeQueued() []*request {
	n, rows := len(w.queue), 0
	if w.maxCommitRows > 0 {
		for i, r := range w.queue {
			if i > 0 && rows+r.b.rows > w.maxCommitRows {
				n = i
				break
			}
			rows += r.b.rows
		}
	}
	reqs := w.queue[:n:n]
	if n == len(w.queue) {
		w.queue = nil
	} else {
		w.queue = append([]*request(nil), w.queue[n:]...)
	}
	for _, r := range reqs {
		r.taken = true
	}
	return reqs
}

// dropAbandoned answers and frees the requests whose waiter gave up before
// they were appended, returning the others and the dropped row count.
func (c *committer) dropAbandoned(reqs []*request) ([]*request, int) {
	live := reqs[:0:0]
	dropped := 0
	for _, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			dropped += r.b.rows
			r.b.free()
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	if dropped > 0 {
		c.w.log.Debug("dropped batches whose export gave up before commit", "rows", dropped)
	}
	return live, dropped
}

func (w *writer) statsSnapshot() writerStats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

// close commits what is queued and stops the writer; new submits fail.
func (w *writer) close() error {
	w.mu.Lock()
	already := w.closed
	w.closed = true
	w.mu.Unlock()
	if !already {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	w.stopped.Wait()
	var errs []error
	for _, c := range w.cs {
		if err := c.disconnect(); err != nil {
			errs = append(errs, err)
		}
	}
	w.cs = nil
	return errors.Join(errs...)
}

// disconnect destroys the committer's appenders and closes its connection.
func (c *committer) disconnect() error {
	var errs []error
	for t, a := range c.appenders {
		if bindings.AppenderDestroy(&a) == bindings.StateError {
			errs = append(errs, fmt.Errorf("close appender %s", tableList[t].Name))
		}
	}
	c.appenders = map[int]bindings.Appender{}
	if c.conn != nil {
		c.conn.close()
		c.conn = nil
	}
	return errors.Join(errs...)
}

// disconnect closes every committer's connection, for a reopen; the caller
// holds the commit gate exclusively, so no commit is using them.
func (w *writer) disconnect() {
	for _, c := range w.cs {
		if err := c.disconnect(); err != nil {
			w.log.Debug("disconnect for reopen", "err", err)
		}
	}
}

// reconnect gives every committer a connection to the (reopened) database
// at path; the caller holds the commit gate exclusively.
func (w *writer) reconnect(path string) error {
	for _, c := range w.cs {
		if c.conn != nil {
			continue
		}
		conn, err := openWriterConn(path, w.session)
		if err != nil {
			return fmt.Errorf("connect %s writer: %w", w.name, err)
		}
		c.conn = conn
	}
	return nil
}

// idleSince reports when the writer last committed and whether it is idle
// (nothing queued or being committed).
func (w *writer) idleSince() (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastDone, w.pending == 0
}

// commit appends every batch of reqs in one transaction; the caller holds
// the commit gate.
func (c *committer) commit(reqs []*request, st *writerStats) (err error) {
	w := c.w
	t1 := time.Now()
	if c.conn == nil {
		return fmt.Errorf("%s: %w: %w", w.name, store.ErrUnavailable, errConnClosed)
	}
	if err := c.conn.exec("BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("%s: begin: %w", w.name, err)
	}
	defer func() {
		if err == nil {
			return
		}
		for _, a := range c.appenders {
			bindings.AppenderClear(a) // drop rows appended but not flushed
		}
		if rbErr := c.conn.exec("ROLLBACK"); rbErr != nil {
			// A failed flush may already have aborted the transaction.
			w.log.Debug("rollback after failed commit", "err", rbErr)
		}
		w.log.Warn("commit failed", "batches", len(reqs), "err", err)
	}()
	used := map[int]bindings.Appender{}
	for _, r := range reqs {
		for _, tc := range r.b.tables {
			a, err := c.appender(tc.table)
			if err != nil {
				return err
			}
			used[tc.table] = a
			for _, ch := range tc.chunks {
				if bindings.AppendDataChunk(a, ch) == bindings.StateError {
					return fmt.Errorf("append %s: %s", tableList[tc.table].Name, bindings.AppenderError(a))
				}
			}
		}
	}
	t2 := time.Now()
	st.Append = t2.Sub(t1)
	for t, a := range used {
		if bindings.AppenderFlush(a) == bindings.StateError {
			return fmt.Errorf("flush %s: %s", tableList[t].Name, bindings.AppenderError(a))
		}
	}
	t3 := time.Now()
	st.Flush = t3.Sub(t2)
	if err := c.conn.exec("COMMIT"); err != nil {
		if committedDurably(err) {
			// The rows are in the WAL (a reopen replays them): the
			// batches are stored, and saying otherwise would make their
			// retries duplicates. The store is unusable all the same.
			if w.noteError != nil {
				_ = w.noteError(err)
			}
			st.Commit = time.Since(t3)
			return nil
		}
		return fmt.Errorf("%s: commit: %w", w.name, err)
	}
	st.Commit = time.Since(t3)
	return nil
}

// appender returns the (reused) appender of table t.
func (c *committer) appender(t int) (bindings.Appender, error) {
	if a, ok := c.appenders[t]; ok {
		return a, nil
	}
	a, err := c.conn.appender(tableList[t].Name)
	if err != nil {
		return a, err
	}
	c.appenders[t] = a
	return a, nil
}

// commitGate lets the checkpointer run CHECKPOINT while no commit is in
// flight: DuckDB refuses a CHECKPOINT while another write transaction is
// open ("Cannot CHECKPOINT: there are other write transactions active").
type commitGate struct {
	mu sync.RWMutex
}

func (g *commitGate) enter() { g.mu.RLock() }
func (g *commitGate) leave() { g.mu.RUnlock() }
