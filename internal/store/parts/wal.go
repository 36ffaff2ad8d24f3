package parts

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// WAL record: u32 little-endian payload length, u32 CRC-32C of the
// payload, payload (an encoded batch, see partbuf.go). A torn or corrupt
// tail (short read, bad CRC) ends replay: it was never acknowledged,
// because a record is acknowledged only after the fsync that covers it.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maxRecord bounds one record, so that a corrupt length cannot make
// replay allocate without limit.
const maxRecord = 256 << 20

// walFile is the file under a WAL segment (an *os.File; tests wrap it to
// inject write and sync failures).
type walFile interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Seek(offset int64, whence int) (int64, error)
	Close() error
}

// walSegment is one WAL file being appended to.
type walSegment struct {
	path   string
	f      walFile
	w      *bufio.Writer
	size   int64 // bytes appended (some may still be buffered)
	synced int64 // bytes made durable by an fsync: the records acknowledged
}

// createSegment creates the segment at path; wrap, if not nil, wraps its
// file (fault injection in tests).
func createSegment(path string, wrap func(walFile) walFile) (*walSegment, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, os.ErrExist) {
		// Left by an attempt whose directory sync failed: nothing in it
		// was acknowledged.
		if err = os.Remove(path); err == nil {
			f, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create WAL segment: %w", err)
	}
	// The new name must survive a power loss too, not only its bytes.
	if err := syncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("create WAL segment: %w", err)
	}
	var wf walFile = f
	if wrap != nil {
		wf = wrap(f)
	}
	return &walSegment{path: path, f: wf, w: bufio.NewWriterSize(wf, 1<<20)}, nil
}

// append buffers one record; sync makes it durable.
func (s *walSegment) append(payload []byte) error {
	if len(payload) > maxRecord {
		return fmt.Errorf("WAL record of %d bytes is over the %d byte limit: send smaller requests", len(payload), maxRecord)
	}
	var h [8]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(h[4:], crc32.Checksum(payload, castagnoli))
	if _, err := s.w.Write(h[:]); err != nil {
		return fmt.Errorf("write WAL %s: %w", s.path, err)
	}
	if _, err := s.w.Write(payload); err != nil {
		return fmt.Errorf("write WAL %s: %w", s.path, err)
	}
	s.size += int64(len(h) + len(payload))
	return nil
}

func (s *walSegment) flush() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write WAL %s: %w", s.path, err)
	}
	return nil
}

// seal makes every record appended durable (the file stays open: a
// failure is undone by rollback).
func (s *walSegment) seal() error {
	if err := s.flush(); err != nil {
		return err
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("sync WAL %s: %w", s.path, err)
	}
	s.synced = s.size
	return nil
}

// rollback drops every record not yet made durable: the buffer is
// discarded and the file truncated back to the last fsync'd offset (a
// failed write or fsync may have left part of them in the file, and
// replay stops at a torn record: records appended after it, even
// acknowledged ones, would be lost). The truncation is fsync'd, so that
// a crash cannot bring the refused records back.
func (s *walSegment) rollback() error {
	s.w.Reset(s.f)
	if err := s.f.Truncate(s.synced); err != nil {
		return fmt.Errorf("truncate WAL %s after a failed write: %w", s.path, err)
	}
	if _, err := s.f.Seek(s.synced, io.SeekStart); err != nil {
		return fmt.Errorf("truncate WAL %s after a failed write: %w", s.path, err)
	}
	s.size = s.synced
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("truncate WAL %s after a failed write: sync: %w", s.path, err)
	}
	return nil
}

// close seals the segment and closes its file.
func (s *walSegment) close() error {
	return errors.Join(s.seal(), s.f.Close())
}

// replaySegment calls fn with each intact record of the file at path, in
// order, and stops at the first torn or corrupt one.
func replaySegment(path string, fn func(payload []byte) error) (records int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open WAL segment: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var h [8]byte
	var buf []byte
	for {
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return records, nil // end, or a torn header
		}
		n := binary.LittleEndian.Uint32(h[0:])
		if n > maxRecord {
			return records, nil
		}
		if cap(buf) < int(n) {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			return records, nil
		}
		if crc32.Checksum(buf, castagnoli) != binary.LittleEndian.Uint32(h[4:]) {
			return records, nil
		}
		if err := fn(buf); err != nil {
			return records, fmt.Errorf("replay %s record %d: %w", path, records, err)
		}
		records++
	}
}

// walName is the file name of WAL segment no.
func walName(no int) string { return fmt.Sprintf("wal-%08d.log", no) }
