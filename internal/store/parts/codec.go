package parts

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// pageCodec is zstd for Parquet pages with a window sized to a page.
// parquet-go's own zstd codec keeps encoders built for the level's
// default window (8 MiB and up, ≈ 32 MiB of history buffers held by its
// pool at the study's load) although a page is at most PageBytes (256
// KiB by default) and each is compressed on its own; a window of a page
// gives the same output at a fraction of the memory. The frames are
// plain zstd: any reader decodes them. The level is SpeedBetterCompression:
// −0.5 B/span against SpeedDefault for ≈ +0.5–1 ms per 1k spans
// (SpeedBestCompression: −0.8 B/span, +5 ms and +170 MiB; measured in
// docs/benchmarks.md, "Second round").
type pageCodec struct {
	window int
	enc    sync.Pool // *zstd.Encoder
	dec    sync.Pool // *zstd.Decoder
}

// codecs holds one pageCodec per window size, so that its encoders are
// reused across parts.
var codecs sync.Map // window -> *pageCodec

func pageCodecFor(pageBytes int) *pageCodec {
	w := 1 << 10 // zstd.MinWindowSize
	for w < pageBytes {
		w <<= 1
	}
	c, _ := codecs.LoadOrStore(w, &pageCodec{window: w})
	return c.(*pageCodec)
}

func (c *pageCodec) String() string { return "ZSTD" }

func (c *pageCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *pageCodec) Encode(dst, src []byte) ([]byte, error) {
	e, _ := c.enc.Get().(*zstd.Encoder)
	if e == nil {
		var err error
		e, err = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(c.window),
			zstd.WithEncoderLevel(zstd.SpeedBetterCompression), zstd.WithZeroFrames(true), zstd.WithEncoderCRC(false),
			zstd.WithLowerEncoderMem(true))
		if err != nil {
			return nil, fmt.Errorf("zstd encoder: %w", err)
		}
	}
	defer c.enc.Put(e)
	return e.EncodeAll(src, dst[:0]), nil
}

func (c *pageCodec) Decode(dst, src []byte) ([]byte, error) {
	d, _ := c.dec.Get().(*zstd.Decoder)
	if d == nil {
		var err error
		if d, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true)); err != nil {
			return nil, fmt.Errorf("zstd decoder: %w", err)
		}
	}
	defer c.dec.Put(d)
	return d.DecodeAll(src, dst[:0])
}
