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

// WAL segment (format 2): an 8-byte header (walMagic, then the format
// version as u32 little-endian), then records: u32 little-endian payload
// length, u32 CRC-32C of the payload seeded with the segment's number
// (walSeed), payload (an encoded batch, see partbuf.go). A torn or
// corrupt tail (short read, bad CRC) ends replay: it was never
// acknowledged, because a record is acknowledged only after the fsync
// that covers it.
//
// Segment files are reused (issue 10): once a segment's part is
// published its file is kept (recycle-<no>.wal) and becomes a later
// segment by a rename, and its records are overwritten in place. An
// fdatasync of bytes written inside the file's size and its allocated
// blocks has no metadata to commit (no ext4 journal commit, which also
// flushes other files' data): a group commit costs one data flush. The
// stale records beyond the new ones fail the CRC under the new number,
// so replay stops where the new records end.
//
// Format 1 (segments written before: no header, CRC not seeded) is still
// replayed, so a data directory left by a crash of an older binary opens
// without loss.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maxRecord bounds one record, so that a corrupt length cannot make
// replay allocate without limit.
const maxRecord = 256 << 20

// walMagic starts a format-2 segment. Read as a format-1 length it is
// over maxRecord, so it cannot be taken for a record.
const walMagic = "OWAL"

const (
	walFormat     = 2
	walHeaderSize = 8
)

// walSeed is the CRC seed of the records of segment no: a record left in
// a reused file by an earlier segment fails the CRC of the new one.
func walSeed(no int) uint32 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(no))
	return crc32.Checksum(b[:], castagnoli)
}

// walFile is the file under a WAL segment (an *os.File whose Sync is an
// fdatasync; tests wrap it to inject write and sync failures).
type walFile interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Seek(offset int64, whence int) (int64, error)
	Close() error
}

// walSegment is one WAL file being appended to. Records are appended to
// pend under the table lock (references to the inserters' buffers, not
// copies); the group commit writes them out and fsyncs them without it
// (take, write, sync), holding Table.syncMu, which serialises everything
// that writes the file.
type walSegment struct {
	path string
	no   int
	seed uint32
	f    walFile
	// pend are the records appended, not yet written to f: each is its
	// 8-byte header then its payload's pieces, the inserters' own
	// buffers (not copies), valid until their insert returns, which is
	// after the record is written and fsync'd or refused (every inserter
	// waits for its group commit; a refusal discards pend: rollback).
	pend    [][]byte
	free    [][]byte // a written pend kept for reuse (under Table.syncMu)
	size    int64    // bytes appended (header included; those of pend not yet written)
	written int64    // bytes written to f
	synced  int64    // bytes made durable by an fsync: the records acknowledged
}

// openSegment makes the file at path segment no: reused is a file to
// rename to path (a segment whose part is published), or "" to create
// one. The header is written and made durable with the file's name;
// wrap, if not nil, wraps its file (fault injection in tests).
func openSegment(path string, no int, reused string, wrap func(walFile) walFile) (*walSegment, error) {
	var f *os.File
	var err error
	if reused != "" {
		// A file already at path was left by an attempt whose directory
		// sync failed: nothing in it was acknowledged.
		if err = os.Rename(reused, path); err == nil {
			f, err = os.OpenFile(path, os.O_WRONLY, 0)
		}
	} else {
		f, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, os.ErrExist) {
			if err = os.Remove(path); err == nil {
				f, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create WAL segment: %w", err)
	}
	var h [walHeaderSize]byte
	copy(h[:], walMagic)
	binary.LittleEndian.PutUint32(h[4:], walFormat)
	if _, err := f.WriteAt(h[:], 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("create WAL segment %s: write header: %w", path, err)
	}
	if _, err := f.Seek(walHeaderSize, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("create WAL segment %s: %w", path, err)
	}
	// The header and the new name must survive a power loss too, not
	// only the records' bytes.
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("create WAL segment %s: sync: %w", path, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("create WAL segment: %w", err)
	}
	var wf walFile = dataSyncFile{f}
	if wrap != nil {
		wf = wrap(wf)
	}
	return &walSegment{path: path, no: no, seed: walSeed(no), f: wf,
		size: walHeaderSize, written: walHeaderSize, synced: walHeaderSize}, nil
}

// append adds one record, whose payload is the concatenation of
// pieces, to the records to write (no I/O, no copy: the table lock is
// held). hdr is the caller's 8 bytes for the record's header (length
// and CRC), filled here. The pieces and hdr must stay unchanged until
// the record is written or refused (see pend); take, write and sync
// make it durable.
func (s *walSegment) append(hdr []byte, pieces ...[]byte) error {
	n := 0
	crc := s.seed
	for _, p := range pieces {
		n += len(p)
		crc = crc32.Update(crc, castagnoli, p)
	}
	if n > maxRecord {
		return fmt.Errorf("WAL record of %d bytes is over the %d byte limit: send smaller requests", n, maxRecord)
	}
	if len(hdr) != 8 {
		return fmt.Errorf("WAL record header of %d bytes, want 8", len(hdr))
	}
	binary.LittleEndian.PutUint32(hdr, uint32(n))
	binary.LittleEndian.PutUint32(hdr[4:], crc)
	s.pend = append(s.pend, hdr)
	for _, p := range pieces {
		if len(p) > 0 {
			s.pend = append(s.pend, p)
		}
	}
	s.size += int64(8 + n)
	return nil
}

// take returns the records appended since the last take, for write (the
// table lock is held; so is Table.syncMu, the only writer of the file).
func (s *walSegment) take() [][]byte {
	p := s.pend
	s.pend = s.free[:0]
	s.free = nil
	return p
}

// write writes p (from take) to the file, without the table lock but
// with Table.syncMu. A failure is undone by rollback (under both).
func (s *walSegment) write(p [][]byte) error {
	for _, b := range p {
		n, err := s.f.Write(b)
		s.written += int64(n)
		if err != nil {
			return fmt.Errorf("write WAL %s: %w", s.path, err)
		}
	}
	if cap(p) <= 4096 { // a burst's list is not kept
		clear(p) // the inserters' buffers are theirs again
		s.free = p[:0]
	}
	return nil
}

// sync makes what was written durable (an fdatasync).
func (s *walSegment) sync() error {
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("sync WAL %s: %w", s.path, err)
	}
	return nil
}

// seal makes every record appended durable (the file stays open: a
// failure is undone by rollback). The caller holds what write needs.
func (s *walSegment) seal() error {
	off := s.size
	if err := s.write(s.take()); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	s.synced = off
	return nil
}

// rollback drops every record not yet made durable: the buffer is
// discarded and the file truncated back to the last fsync'd offset (a
// failed write or fsync may have left part of them in the file, and
// replay stops at a torn record: records appended after it, even
// acknowledged ones, would be lost; and an intact refused record would
// be replayed). The truncation is fsync'd, so that a crash cannot bring
// the refused records back.
func (s *walSegment) rollback() error {
	clear(s.pend)
	s.pend = s.pend[:0]
	if err := s.f.Truncate(s.synced); err != nil {
		return fmt.Errorf("truncate WAL %s after a failed write: %w", s.path, err)
	}
	if _, err := s.f.Seek(s.synced, io.SeekStart); err != nil {
		return fmt.Errorf("truncate WAL %s after a failed write: %w", s.path, err)
	}
	s.size, s.written = s.synced, s.synced
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
// order, and stops at the first torn or corrupt one (or, in a reused
// file, at the first record of an earlier segment: its CRC fails).
func replaySegment(path string, fn func(payload []byte) error) (records int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open WAL segment: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var h [8]byte
	var seed uint32 // format 1: not seeded
	if head, err := r.Peek(walHeaderSize); err == nil && string(head[:4]) == walMagic {
		if v := binary.LittleEndian.Uint32(head[4:]); v != walFormat {
			return 0, fmt.Errorf("WAL segment %s has format version %d, this binary reads %d: open it with the binary that wrote it", path, v, walFormat)
		}
		var no int
		if _, err := fmt.Sscanf(filepath.Base(path), "wal-%d.log", &no); err != nil {
			return 0, fmt.Errorf("WAL segment %s: no segment number in its name: %w", path, err)
		}
		seed = walSeed(no)
		if _, err := r.Discard(walHeaderSize); err != nil {
			return 0, fmt.Errorf("read WAL segment %s: %w", path, err)
		}
	}
	var buf []byte
	for {
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return records, nil // end, or a torn header
		}
		n := binary.LittleEndian.Uint32(h[0:])
		if n == 0 || n > maxRecord {
			return records, nil // no record is empty
		}
		if cap(buf) < int(n) {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			return records, nil
		}
		if crc32.Update(seed, castagnoli, buf) != binary.LittleEndian.Uint32(h[4:]) {
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

// recycleName is the name a segment's file is kept under once its part
// is published, until a later segment reuses it.
func recycleName(no int) string { return fmt.Sprintf("recycle-%08d.wal", no) }
