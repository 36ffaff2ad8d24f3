package duckdb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/overlook-dev/overlook/internal/budget"
	"github.com/overlook-dev/overlook/internal/store"
)

// Store health: a fatal I/O error (ENOSPC while writing the WAL or a
// checkpoint, EIO) invalidates the DuckDB instance: every later statement
// fails with "database has been invalidated" until the database is opened
// again. The store notices it (a failed commit, or the probe below), refuses
// writes with store.ErrUnavailable (retryable; /ready turns 503 with the
// reason), and reopens the database in place once the disk has room again.
// Reopening replays the WAL, which holds every acknowledged commit, so no
// acknowledged row is lost; a commit that failed was never acknowledged.
//
// Free disk space is watched too: below the floor (Config.MinFreeDisk)
// writes are refused before the disk is full, so that DuckDB is not
// invalidated in the first place. Headroom counts the free space of the
// file system plus the free blocks inside the database file, which DuckDB
// reuses before it grows the file (retention frees them).

// healthPoll is how often the probe runs; reopenEvery how often a reopen
// is tried while the database is invalidated.
const (
	healthPoll  = time.Second
	reopenEvery = 5 * time.Second
	// drainWait bounds how long a reopen waits for reads still running on
	// the invalidated instance (they fail fast) to give their connection
	// back.
	drainWait = 10 * time.Second
	// sqlIdleConns is database/sql's default idle pool, restored after a
	// reopen emptied it.
	sqlIdleConns = 2
)

// health is the store's current ability to take writes.
type health struct {
	mu       sync.Mutex
	invalid  error // non-nil: the instance was invalidated by this error
	lowDisk  error // non-nil: headroom is below the floor
	diskFull error // non-nil: a commit failed for want of space (not fatal)
	fullAt   int64 // fsFree when diskFull was set
	lastTry  time.Time
	reopens  int64
	fsFree   atomic.Int64 // bytes free for the store on its file system
	fileFree atomic.Int64 // bytes of free blocks inside the database file
	floor    atomic.Int64 // the effective floor in bytes (0: none)
	measured atomic.Int64 // unix nanos of the last statfs
}

// diskStale is how old a free-space reading may be when a write is
// admitted: at ingest speed the disk fills by a few MB in that time.
const diskStale = 100 * time.Millisecond

// admit is asked before a batch is queued: it refreshes a stale reading
// of the disk (a statfs costs microseconds) and returns Health.
func (s *Store) admit() error {
	if time.Since(time.Unix(0, s.health.measured.Load())) >= diskStale {
		s.measureDisk()
	}
	return s.Health()
}

// Health implements store.HealthReporter: nil while the store takes
// writes, else why not (wrapping store.ErrUnavailable).
func (s *Store) Health() error {
	s.health.mu.Lock()
	err := s.health.invalid
	if err == nil {
		err = s.health.diskFull
	}
	if err == nil {
		err = s.health.lowDisk
	}
	s.health.mu.Unlock()
	if err != nil {
		return err
	}
	// A parts table whose WAL cannot be written or whose part writes fail
	// (both retried by the table itself).
	for _, sp := range s.partTables() {
		if err := sp.t.Err(); err != nil {
			return fmt.Errorf("%s: %w", sp.table.Name, err)
		}
	}
	return nil
}

// DiskHeadroom reports the bytes free on the data directory's file system,
// the free bytes inside the database file, and the floor below which
// writes are refused (0: none).
func (s *Store) DiskHeadroom() (fsFree, fileFree, floor int64) {
	return s.health.fsFree.Load(), s.health.fileFree.Load(), s.health.floor.Load()
}

// isFatal reports whether err says the DuckDB instance is unusable until it
// is opened again.
func isFatal(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "database has been invalidated") || strings.Contains(msg, "FATAL Error")
}

// committedDurably reports whether a failed COMMIT's error says the
// transaction is durable nonetheless: DuckDB wrote and synced the WAL, then
// failed the automatic checkpoint that followed (and invalidated the
// instance).
func committedDurably(err error) bool {
	return strings.Contains(err.Error(), "COMMIT succeeded and is durable")
}

// isDiskFull reports whether err is a write that failed for want of space.
func isDiskFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "no space left on device") || strings.Contains(msg, "disk quota exceeded")
}

// diskFullMargin is how much space must come back after a commit failed
// for want of it before writes are admitted again.
const diskFullMargin = 16 << 20

// noteError classifies the error of a write: a fatal one marks the store
// invalidated, a full disk refuses writes until space comes back; both
// come back wrapping store.ErrUnavailable (retryable).
func (s *Store) noteError(err error) error {
	switch {
	case isFatal(err):
		return s.markInvalid(err)
	case isDiskFull(err):
		s.measureDisk()
		s.health.mu.Lock()
		defer s.health.mu.Unlock()
		if s.health.diskFull == nil {
			s.health.fullAt = s.health.fsFree.Load()
			s.log.Error("the disk is full; refusing writes until space is freed", "dir", s.cfg.Dir, "err", err)
		}
		s.health.diskFull = fmt.Errorf("%w: the disk of %s is full; writes are refused until %s are free again "+
			"(free space, or shorten extensions::overlook::storage::retention; set "+
			"extensions::overlook::storage::min_free_disk to refuse writes before the disk fills): %v",
			store.ErrUnavailable, s.cfg.Dir, budget.FormatBytes(s.health.fullAt+diskFullMargin), err)
		return s.health.diskFull
	}
	return err
}

func (s *Store) markInvalid(cause error) error {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if s.health.invalid == nil {
		s.health.invalid = fmt.Errorf("%w: %w: it was invalidated by a fatal I/O error (is the disk of %s full?); "+
			"writes are refused and overlook reopens the database by itself once the disk has room "+
			"(free space, or lower extensions::overlook::storage::retention): %v",
			store.ErrUnavailable, store.ErrDown, s.cfg.Dir, cause)
		s.log.Error("database invalidated; refusing writes until it can be reopened", "err", cause)
	}
	return s.health.invalid
}

// healthLoop measures the disk, probes the database and reopens it when it
// was invalidated and the disk has room again.
func (s *Store) healthLoop() {
	defer s.bg.Done()
	t := time.NewTicker(healthPoll)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.checkHealth()
		}
	}
}

// checkHealth runs one probe.
func (s *Store) checkHealth() {
	s.measureDisk()
	s.health.mu.Lock()
	invalid := s.health.invalid != nil
	due := time.Since(s.health.lastTry) >= reopenEvery
	low := s.health.lowDisk != nil
	s.health.mu.Unlock()
	if !invalid {
		s.probe()
		return
	}
	if !due || low {
		return
	}
	s.health.mu.Lock()
	s.health.lastTry = time.Now()
	s.health.mu.Unlock()
	if err := s.reopen(); err != nil {
		s.log.Warn("reopening the invalidated database failed; retrying", "every", reopenEvery, "err", err)
	}
}

// probe reads the database's free blocks; a fatal error marks the store
// invalidated.
func (s *Store) probe() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var blockSize, freeBlocks int64
	err := s.db.QueryRowContext(ctx, "SELECT block_size, free_blocks FROM pragma_database_size()").
		Scan(&blockSize, &freeBlocks)
	if err != nil {
		if isFatal(err) {
			s.markInvalid(err)
		}
		return
	}
	s.health.fileFree.Store(blockSize * freeBlocks)
	s.updateFloor()
}

// measureDisk reads the free space of the data directory's file system.
func (s *Store) measureDisk() {
	var st syscall.Statfs_t
	if err := syscall.Statfs(s.cfg.Dir, &st); err != nil {
		s.log.Debug("statfs", "dir", s.cfg.Dir, "err", err)
		return
	}
	bs := int64(st.Bsize) //nolint:unconvert // Bsize's type differs by platform
	s.health.measured.Store(time.Now().UnixNano())
	free := int64(st.Bavail) * bs
	s.health.fsFree.Store(free)
	s.health.floor.Store(effectiveFloor(s.cfg.MinFreeDisk, int64(st.Blocks)*bs))
	s.updateFloor()
	s.health.mu.Lock()
	if s.health.diskFull != nil && free >= s.health.fullAt+diskFullMargin {
		s.health.diskFull = nil
		s.log.Info("disk space is back; accepting writes", "dir", s.cfg.Dir, "free", free)
	}
	s.health.mu.Unlock()
}

// effectiveFloor is the configured floor, or the default: 1 GiB, but at
// most 10% of the file system, so that a small volume is not refused
// forever. Negative disables it.
func effectiveFloor(configured, fsSize int64) int64 {
	switch {
	case configured < 0:
		return 0
	case configured > 0:
		return configured
	}
	return min(DefaultMinFreeDisk, fsSize/10)
}

// updateFloor sets or clears the low-disk refusal.
func (s *Store) updateFloor() {
	floor := s.health.floor.Load()
	headroom := s.health.fsFree.Load() + s.health.fileFree.Load()
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if floor <= 0 || headroom >= floor {
		if s.health.lowDisk != nil {
			s.log.Info("disk headroom back above the floor; accepting writes", "headroom", headroom, "floor", floor)
		}
		s.health.lowDisk = nil
		return
	}
	if s.health.lowDisk == nil {
		s.log.Warn("disk headroom below the floor; refusing writes", "headroom", headroom, "floor", floor)
	}
	s.health.lowDisk = fmt.Errorf("%w: free disk space for %s is %s, below the floor of %s "+
		"(extensions::overlook::storage::min_free_disk); writes resume by themselves once space is freed "+
		"(delete files, grow the volume, or shorten extensions::overlook::storage::retention)",
		store.ErrUnavailable, s.cfg.Dir, budget.FormatBytes(headroom), budget.FormatBytes(floor))
}

// swapConnector is the connector of s.db: it hands out connections of the
// current DuckDB instance, and none while the instance is being replaced.
type swapConnector struct {
	mu   sync.RWMutex
	cur  *duckdb.Connector
	down error // non-nil while reopening
}

func (c *swapConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.down != nil {
		return nil, c.down
	}
	if c.cur == nil {
		return nil, fmt.Errorf("%w: %w: a reopen after a fatal I/O error has not completed yet", store.ErrUnavailable, store.ErrDown)
	}
	return c.cur.Connect(ctx)
}

func (c *swapConnector) Driver() driver.Driver {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cur.Driver()
}

// reopen replaces the invalidated instance with a fresh one, in place:
// no checkpoint, retention run or commit is in flight meanwhile, and reads
// fail with store.ErrUnavailable until it is done.
func (s *Store) reopen() error {
	s.maint.Lock()
	defer s.maint.Unlock()
	s.gate.mu.Lock()
	defer s.gate.mu.Unlock()
	s.connector.mu.Lock()
	s.connector.down = fmt.Errorf("%w: %w: it is being reopened after a fatal I/O error", store.ErrUnavailable, store.ErrDown)
	s.connector.mu.Unlock()
	reopened := false
	defer func() {
		if !reopened {
			// Let reads reach the (still invalidated) instance again, so
			// they fail with its own message until the next try.
			s.connector.mu.Lock()
			s.connector.down = nil
			s.connector.mu.Unlock()
		}
		s.db.SetMaxIdleConns(sqlIdleConns)
	}()
	// Every connection to the old instance must be gone before it is
	// opened again, or DuckDB's instance cache hands the old one back.
	s.db.SetMaxIdleConns(0)
	deadline := time.Now().Add(drainWait)
	for s.db.Stats().InUse > 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d reads still hold the invalidated database after %s", s.db.Stats().InUse, drainWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, w := range []*writer{s.logs, s.traces, s.metrics} {
		w.disconnect()
	}
	if err := s.connector.Close(); err != nil {
		s.log.Debug("close invalidated connector", "err", err)
	}
	connector, err := duckdb.NewConnector(s.path, nil)
	if err != nil {
		return fmt.Errorf("open %s: %w", s.path, err)
	}
	s.connector.mu.Lock()
	s.connector.cur, s.connector.down = connector, nil
	s.connector.mu.Unlock()
	if err := s.configure(); err != nil {
		return err
	}
	if _, err := s.db.Exec("SELECT 1"); err != nil {
		return fmt.Errorf("probe the reopened database: %w", err)
	}
	for _, w := range []*writer{s.logs, s.traces, s.metrics} {
		if err := w.reconnect(s.path); err != nil {
			return err
		}
	}
	reopened = true
	s.health.mu.Lock()
	s.health.invalid = nil
	s.health.reopens++
	s.health.mu.Unlock()
	s.log.Info("database reopened after it was invalidated; accepting writes", "path", s.path)
	return nil
}

// errConnClosed answers a commit on a committer whose connection was
// closed for a reopen that has not completed.
var errConnClosed = errors.New("the writer's connection is closed while the database is reopened")

// Close closes the current instance's connector; sql.DB.Close calls it.
func (c *swapConnector) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		return nil
	}
	err := c.cur.Close()
	c.cur = nil
	return err
}
