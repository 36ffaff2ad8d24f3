package parts

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
)

// Reusing WAL segment files (issue 10). A new file grows with every group
// commit, and each fsync then commits metadata through the file system's
// journal (on ext4 also flushing other files' data): 100–350 ms at times
// on a shared disk, and every acknowledgement waits for it. So the file
// of a segment whose part is published is kept (renamed recycle-<no>.wal)
// and a later segment takes it over (renamed wal-<no>.log, its header
// rewritten, fsync'd with the directory, while the previous segment's
// seal runs: see seal.go): its records are written over the old ones, in
// place, and an fdatasync of them has nothing but data to write. The
// records left from before fail the CRC seeded with the new segment's
// number (wal.go), so replay stops where the new ones end.

// maxRecycled is how many published segments' files are kept for reuse:
// one is taken at each cut, and one is given back each time a part is
// published. A clean Close deletes them.
const maxRecycled = 2

// newSegment opens segment no, in a kept file if there is one.
func (t *Table) newSegment(no int) (*walSegment, error) {
	path := filepath.Join(t.cfg.Dir, walName(no))
	t.recMu.Lock()
	var reused string
	if n := len(t.recycled); n > 0 {
		reused, t.recycled = t.recycled[n-1], t.recycled[:n-1]
	}
	t.recMu.Unlock()
	if reused != "" {
		s, err := openSegment(path, no, reused, t.cfg.wrapWAL)
		if err == nil {
			return s, nil
		}
		t.log.Warn("reusing a WAL segment file failed; creating a new one", "file", reused, "err", err)
		_ = os.Remove(reused)
	}
	return openSegment(path, no, "", t.cfg.wrapWAL)
}

// recycle keeps the file of segment no, whose part is published, for a
// later segment, or deletes it when enough are kept. No directory sync:
// after a crash either name is harmless (Open replays a published
// segment without storing its rows twice, and adopts or deletes the
// kept files).
func (t *Table) recycle(path string, no int) {
	t.recMu.Lock()
	defer t.recMu.Unlock()
	if len(t.recycled) < maxRecycled {
		dst := filepath.Join(t.cfg.Dir, recycleName(no))
		if err := os.Rename(path, dst); err == nil {
			t.recycled = append(t.recycled, dst)
			return
		}
	}
	if err := os.Remove(path); err != nil {
		// Harmless: Open deletes a segment its part covers.
		t.log.Warn("removing a written WAL segment failed", "err", err)
	}
}

// adoptRecycled takes over the kept files a crash left (Open), up to
// maxRecycled, and deletes the others.
func (t *Table) adoptRecycled() error {
	files, err := filepath.Glob(filepath.Join(t.cfg.Dir, "recycle-*.wal"))
	if err != nil {
		return err
	}
	slices.Sort(files)
	t.recMu.Lock()
	defer t.recMu.Unlock()
	for _, f := range files {
		if len(t.recycled) < maxRecycled {
			t.recycled = append(t.recycled, f)
			continue
		}
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	return nil
}

// dropRecycled deletes the kept files (Close: a stopped store keeps no
// WAL on disk).
func (t *Table) dropRecycled() error {
	t.recMu.Lock()
	defer t.recMu.Unlock()
	var err error
	for _, f := range t.recycled {
		if rerr := os.Remove(f); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = errors.Join(err, rerr)
		}
	}
	t.recycled = nil
	return err
}
