// Package series holds the backend-neutral parts of metric series
// handling that every store shares: the stored series fingerprint.
package series

// Series fingerprints (schema.SeriesFingerprint): a 64-bit hash of what
// identifies a metrics row's series, computed when the row is converted
// by each store's pdata walk (and DuckDB's migration) from the same values. Readers group
// points into series by it instead of hashing the attribute MAPs of every
// row, which DuckDB decompresses whole (≈ 60–100 ns per row).
//
// The hash must be stable across processes and releases (it is stored),
// so it is FNV-1a with a splitmix64 finaliser, written out here, never
// Go's seeded maphash. Attribute maps hash as the sum of their entries'
// hashes: independent of the order pdata or DuckDB hands the entries in,
// without sorting. Strings are length-prefixed, so no two different
// field sequences feed the same bytes.

// FNVOffset is FNV-1a's offset basis, the initial state.
const (
	FNVOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// FNVString feeds s, length first, into FNV-1a state h.
func FNVString(h uint64, s string) uint64 {
	h = FNVUint64(h, uint64(len(s)))
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// FNVUint64 feeds the 8 bytes of v into FNV-1a state h.
func FNVUint64(h, v uint64) uint64 {
	for range 8 {
		h ^= v & 0xff
		h *= fnvPrime
		v >>= 8
	}
	return h
}

// Mix64 is splitmix64's finaliser: FNV's low bits avalanche poorly, and
// map hashes add entry hashes, so each entry hash is mixed first.
func Mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// AttrsHash is the order-independent hash of a flattened attribute map
// (keys unique, values parallel).
func AttrsHash(keys, vals []string) uint64 {
	sum := uint64(len(keys))
	for i, k := range keys {
		sum += Mix64(FNVString(FNVString(FNVOffset, k), vals[i]))
	}
	return Mix64(sum)
}

// Identity is what a series fingerprint hashes: the identity columns
// of a series, attribute maps pre-hashed with AttrsHash. Mono and Temp are
// false/0 for the tables without them.
type Identity struct {
	Name, Unit, Scope, Svc string
	Res, Attrs             uint64
	Mono                   bool
	Temp                   int32
}

// Fingerprint is the stored schema.SeriesFingerprint of id.
func (id *Identity) Fingerprint() uint64 {
	h := uint64(FNVOffset)
	h = FNVString(h, id.Name)
	h = FNVString(h, id.Unit)
	h = FNVString(h, id.Scope)
	h = FNVString(h, id.Svc)
	h = FNVUint64(h, id.Res)
	h = FNVUint64(h, id.Attrs)
	m := uint64(0)
	if id.Mono {
		m = 1
	}
	h = FNVUint64(h, m)
	h = FNVUint64(h, uint64(uint32(id.Temp)))
	return Mix64(h)
}
