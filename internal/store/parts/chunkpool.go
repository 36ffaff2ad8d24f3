package parts

import (
	"errors"
	"sync"
)

// pooledChunks is how many freed head chunks (chunkBytes each) a Table
// keeps mapped for its next heads: 16 MiB at most per table, and at most
// an eighth of its MaxBufferedBytes (poolSize), so that a small memory
// budget is not crossed by chunks that hold no rows.
const pooledChunks = 4

// poolSize is the chunks a Table with that MaxBufferedBytes pools.
func poolSize(maxBuffered int64) int {
	return int(min(pooledChunks, maxBuffered/(8*chunkBytes)))
}

// chunkPool keeps a few of a Table's freed head chunks mapped, so that
// the next head writes into pages already resident instead of a fresh
// mapping: each fresh 4 MiB chunk cost 1,024 page faults (the kernel
// zeroing every page on its first write) and its unmapping a TLB
// shootdown — ≈ 3 % of the server's CPU at max log ingest, where a part
// of 50k rows is written every third of a second. Pooled chunks stay in
// MappedBytes; Table.Close unmaps them (drain). A nil pool maps and
// unmaps every chunk.
type chunkPool struct {
	max  int // chunks kept at most (poolSize)
	mu   sync.Mutex
	free [][]byte
}

// get returns an empty chunk with room for n bytes.
func (c *chunkPool) get(n int) ([]byte, error) {
	if c != nil && n <= chunkBytes {
		c.mu.Lock()
		if k := len(c.free); k > 0 {
			b := c.free[k-1]
			c.free = c.free[:k-1]
			c.mu.Unlock()
			return b[:0], nil
		}
		c.mu.Unlock()
	}
	return allocChunk(max(chunkBytes, n))
}

// put takes back a chunk get returned: pooled if there is room, else
// unmapped.
func (c *chunkPool) put(b []byte) error {
	if c != nil && cap(b) == chunkBytes {
		c.mu.Lock()
		if len(c.free) < c.max {
			c.free = append(c.free, b[:0])
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
	}
	return freeChunk(b)
}

// drain unmaps the pooled chunks.
func (c *chunkPool) drain() error {
	c.mu.Lock()
	free := c.free
	c.free = nil
	c.mu.Unlock()
	var errs []error
	for _, b := range free {
		if err := freeChunk(b); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
