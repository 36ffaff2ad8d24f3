package parts

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// pageChunkBytes is the size of the mappings a pageArena's buffers grow
// by. Only the pages a column's compressed pages touch become resident:
// a column of 10 KB costs 3 pages of RSS, not the mapping.
const pageChunkBytes = 1 << 20

// pageArena is the parquet.BufferPool (ColumnPageBuffers) of one part
// write or merge: it holds a row group's compressed pages, column by
// column, until the row group is written to the file. parquet-go's
// default pool keeps them on the Go heap (32 KiB chunks), where each
// live byte costs about two of RSS (GOGC=100); here they are mapped
// outside the heap (allocChunk) and counted once, and release unmaps all
// of them when the writer is done, whether it finished or failed (a
// failed writer does not give its buffers back).
type pageArena struct {
	mu   sync.Mutex
	free []*pageBuffer // put back by the writer, reused for the next row group
	all  []*pageBuffer
}

// pageBytesMapped is the bytes all pageArenas of the process have mapped
// (what tests check is released).
var pageBytesMapped atomic.Int64

// GetBuffer implements parquet.BufferPool.
func (a *pageArena) GetBuffer() io.ReadWriteSeeker {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n := len(a.free); n > 0 {
		b := a.free[n-1]
		a.free = a.free[:n-1]
		return b
	}
	b := &pageBuffer{arena: a}
	a.all = append(a.all, b)
	return b
}

// PutBuffer implements parquet.BufferPool.
func (a *pageArena) PutBuffer(rw io.ReadWriteSeeker) {
	b, ok := rw.(*pageBuffer)
	if !ok || b.arena != a {
		return
	}
	b.size, b.off = 0, 0
	a.mu.Lock()
	a.free = append(a.free, b)
	a.mu.Unlock()
}

// release unmaps every buffer's chunks; the writer must not be used
// afterwards.
func (a *pageArena) release() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for _, b := range a.all {
		for _, c := range b.chunks {
			pageBytesMapped.Add(-int64(cap(c)))
			if err := freeChunk(c); err != nil {
				errs = append(errs, err)
			}
		}
		b.chunks, b.size, b.off = nil, 0, 0
	}
	a.all, a.free = nil, nil
	return errors.Join(errs...)
}

// pageBuffer is an io.ReadWriteSeeker over mapped chunks of
// pageChunkBytes (all full but the last).
type pageBuffer struct {
	arena  *pageArena
	chunks [][]byte // each of length pageChunkBytes once mapped
	size   int64    // bytes written
	off    int64    // read/write position
}

func (b *pageBuffer) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		i, at := int(b.off/pageChunkBytes), int(b.off%pageChunkBytes)
		for i >= len(b.chunks) {
			c, err := allocChunk(pageChunkBytes)
			if err != nil {
				return n, fmt.Errorf("page buffer: %w", err)
			}
			pageBytesMapped.Add(int64(cap(c)))
			b.chunks = append(b.chunks, c[:cap(c)])
		}
		k := copy(b.chunks[i][at:], p)
		p = p[k:]
		n += k
		b.off += int64(k)
		b.size = max(b.size, b.off)
	}
	return n, nil
}

func (b *pageBuffer) Read(p []byte) (int, error) {
	if b.off >= b.size {
		return 0, io.EOF
	}
	n := 0
	for len(p) > 0 && b.off < b.size {
		i, at := int(b.off/pageChunkBytes), int(b.off%pageChunkBytes)
		end := min(int64(pageChunkBytes), b.size-int64(i)*pageChunkBytes)
		k := copy(p, b.chunks[i][at:end])
		p = p[k:]
		n += k
		b.off += int64(k)
	}
	return n, nil
}

// WriteTo writes the buffer from the position to its end: io.Copy to
// the part file uses it, without a copy buffer.
func (b *pageBuffer) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for b.off < b.size {
		i, at := int(b.off/pageChunkBytes), int(b.off%pageChunkBytes)
		end := min(int64(pageChunkBytes), b.size-int64(i)*pageChunkBytes)
		k, err := w.Write(b.chunks[i][at:end])
		n += int64(k)
		b.off += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (b *pageBuffer) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += b.off
	case io.SeekEnd:
		offset += b.size
	case io.SeekStart:
	default:
		return b.off, fmt.Errorf("page buffer: bad whence %d", whence)
	}
	if offset < 0 {
		return b.off, fmt.Errorf("page buffer: seek to %d, before the start", offset)
	}
	b.off = offset
	return offset, nil
}
