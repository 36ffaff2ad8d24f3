package parts

import (
	"cmp"
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
//
// Idle encoders are kept in a list of maxIdleEncoders, not a sync.Pool:
// an encoder of this level holds ≈ 4.2 MB of match tables, and a
// sync.Pool kept up to three of them live at max ingest with one table
// writing (one per P and its victim cache: 12 MB of live heap, ≈ 24 MB
// of RSS at GOGC=100) and dropped and rebuilt them at every other GC
// (≈ 30 per 40 s run). With the list, the encoders alive are as many as
// ever compressed at once.
type pageCodec struct {
	window int
	level  zstd.EncoderLevel
	idle   chan *zstd.Encoder // up to maxIdleEncoders
	enc    sync.Mutex
	built  int       // encoders built (for tests)
	dec    sync.Pool // *zstd.Decoder
}

// maxIdleEncoders bounds the encoders kept between pages: as many as
// compress at once when both tables write parts (flushers each); one
// needed beyond them is built and then dropped.
const maxIdleEncoders = 2 * flushers

// codecs holds one pageCodec per window size, so that its encoders are
// reused across parts.
var codecs sync.Map // codecKey -> *pageCodec

func pageCodecFor(pageBytes int, level zstd.EncoderLevel) *pageCodec {
	w := 1 << 10 // zstd.MinWindowSize
	for w < pageBytes {
		w <<= 1
	}
	level = cmp.Or(level, zstd.SpeedBetterCompression)
	c, _ := codecs.LoadOrStore(codecKey{w, level}, &pageCodec{window: w, level: level, idle: make(chan *zstd.Encoder, maxIdleEncoders)})
	return c.(*pageCodec)
}

// codecKey: the codecs are kept per window and level.
type codecKey struct {
	window int
	level  zstd.EncoderLevel
}

func (c *pageCodec) String() string { return "ZSTD" }

func (c *pageCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *pageCodec) Encode(dst, src []byte) ([]byte, error) {
	var e *zstd.Encoder
	select {
	case e = <-c.idle:
	default:
		var err error
		e, err = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(c.window),
			zstd.WithEncoderLevel(c.level), zstd.WithZeroFrames(true), zstd.WithEncoderCRC(false),
			zstd.WithLowerEncoderMem(true))
		if err != nil {
			return nil, fmt.Errorf("zstd encoder: %w", err)
		}
		c.enc.Lock()
		c.built++
		c.enc.Unlock()
	}
	out := e.EncodeAll(src, dst[:0])
	select {
	case c.idle <- e:
	default: // maxIdleEncoders are kept already
	}
	return out, nil
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
