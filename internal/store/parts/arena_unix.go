//go:build unix

package parts

import (
	"fmt"
	"syscall"
)

// allocChunk returns an arena chunk mapped outside the Go heap: the
// buffered part's bytes are then counted once in RSS, not once more as
// the garbage collector's headroom (GOGC=100 lets the heap grow to twice
// what is live), and are returned to the OS as soon as the part is
// written (freeChunk).
func allocChunk(n int) ([]byte, error) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("map part buffer of %d bytes: %w", n, err)
	}
	mappedBytes.Add(int64(len(b)))
	return b[:0], nil
}

func freeChunk(b []byte) error {
	if err := syscall.Munmap(b[:cap(b)]); err != nil {
		return fmt.Errorf("unmap part buffer: %w", err)
	}
	mappedBytes.Add(-int64(cap(b)))
	return nil
}
