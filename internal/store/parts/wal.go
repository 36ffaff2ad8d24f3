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

// walSegment is one WAL file being appended to.
type walSegment struct {
	path string
	f    *os.File
	w    *bufio.Writer
	size int64
}

func createSegment(path string) (*walSegment, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("create WAL segment: %w", err)
	}
	// The new name must survive a power loss too, not only its bytes.
	if err := syncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("create WAL segment: %w", err)
	}
	return &walSegment{path: path, f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
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

func (s *walSegment) close() error {
	err := s.flush()
	if err == nil {
		err = s.f.Sync()
	}
	return errors.Join(err, s.f.Close())
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
