package parts

import "sync/atomic"

// mappedBytes is the bytes every Table of the process holds in mappings
// outside the Go heap (allocChunk): the heads' and cut parts' chunks and
// sort indexes, and the part writers' page arenas.
var mappedBytes atomic.Int64

// MappedBytes reports the bytes the parts store has mapped outside the
// Go heap, process-wide (what the /debug/memory breakdown shows beside
// the Go runtime's own classes; docs/benchmarks.md).
func MappedBytes() int64 { return mappedBytes.Load() }

// PageArenaBytes reports the part of MappedBytes that the part writers'
// page arenas hold (a row group's compressed pages until it is written).
func PageArenaBytes() int64 { return pageBytesMapped.Load() }
