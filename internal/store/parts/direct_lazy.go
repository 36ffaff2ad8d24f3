package parts

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// lazyPage is a page's values section, decompressed only as far as the
// direct reader reads it: the wanted rows of a trace lie anywhere in a
// page (on average half-way), and a dictionary's wanted values anywhere
// in it, so decompressing up to the last byte read skips, on average,
// the zstd blocks (≤ 128 KiB each) after it. b has the decompressed
// size; b[:have] is decompressed. Readers call need before reading past
// have.
type lazyPage struct {
	b    []byte
	have int
	dec  *zstd.Decoder // nil: b is whole
	src  bytes.Reader
}

// lazyWhole decompresses a page whole on its first need (benchmarks
// compare both).
var lazyWhole bool

// lazyStep is the least a need decompresses past what it was asked for.
const lazyStep = 16 << 10

// set makes l the whole of b (an uncompressed page).
func (l *lazyPage) set(b []byte) {
	l.b, l.have = b, len(b)
}

// start makes l the decompression of src (size bytes) into buf, which it
// returns (grown) for reuse.
func (l *lazyPage) start(dec *zstd.Decoder, buf, src []byte, size int) ([]byte, error) {
	if size < 0 || size > maxPageBytes {
		return buf, errMalformed
	}
	buf = grow(buf, size)
	l.b, l.have, l.dec = buf, 0, dec
	l.src.Reset(src)
	if err := dec.Reset(&l.src); err != nil {
		return buf, fmt.Errorf("zstd: %w", err)
	}
	return buf, nil
}

// need makes b[:n] decompressed (n past len(b) is malformed data).
func (l *lazyPage) need(n int) error {
	if n <= l.have {
		return nil
	}
	if n > len(l.b) || l.dec == nil {
		return errMalformed
	}
	to := min(len(l.b), max(n, l.have+lazyStep))
	if lazyWhole {
		to = len(l.b)
	}
	k, err := io.ReadFull(l.dec, l.b[l.have:to])
	l.have += k
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("zstd: %d bytes, header says %d: %w", l.have, len(l.b), errMalformed)
		}
		return fmt.Errorf("zstd: %w", err)
	}
	return nil
}

// newZstdDecoder is a decoder for the direct reader: one goroutine's,
// synchronous (a stream decoder of concurrency 1 decodes in Read).
func newZstdDecoder() (*zstd.Decoder, error) {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(maxPageBytes))
	if err != nil {
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	return d, nil
}
