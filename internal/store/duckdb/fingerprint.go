package duckdb

// Series fingerprints (schema.SeriesFingerprint): a 64-bit hash of what
// identifies a metrics row's series, computed when the row is converted
// (rows_metrics.go) and, for rows stored before the column existed, by
// the migration (fingerprint_fill.go) from the same values. Readers group
// points into series by it instead of hashing the attribute MAPs of every
// row, which DuckDB decompresses whole (≈ 60–100 ns per row).
//
// The hash must be stable across processes and releases (it is stored),
// so it is FNV-1a with a splitmix64 finaliser, written out here, never
// Go's seeded maphash. Attribute maps hash as the sum of their entries'
// hashes: independent of the order pdata or DuckDB hands the entries in,
// without sorting. Strings are length-prefixed, so no two different
// field sequences feed the same bytes.

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvString feeds s, length first, into FNV-1a state h.
func fnvString(h uint64, s string) uint64 {
	h = fnvUint64(h, uint64(len(s)))
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// fnvUint64 feeds the 8 bytes of v into FNV-1a state h.
func fnvUint64(h, v uint64) uint64 {
	for range 8 {
		h ^= v & 0xff
		h *= fnvPrime
		v >>= 8
	}
	return h
}

// mix64 is splitmix64's finaliser: FNV's low bits avalanche poorly, and
// map hashes add entry hashes, so each entry hash is mixed first.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// attrsHash is the order-independent hash of a flattened attribute map
// (keys unique, values parallel).
func attrsHash(keys, vals []string) uint64 {
	sum := uint64(len(keys))
	for i, k := range keys {
		sum += mix64(fnvString(fnvString(fnvOffset, k), vals[i]))
	}
	return mix64(sum)
}

// seriesIdentity is what a series fingerprint hashes: the identity
// columns of metrics_select.go's identity, attribute maps pre-hashed with
// attrsHash. mono and temp are false/0 for the tables without them.
type seriesIdentity struct {
	name, unit, scope, svc string
	res, attrs             uint64
	mono                   bool
	temp                   int32
}

func (id *seriesIdentity) fingerprint() uint64 {
	h := uint64(fnvOffset)
	h = fnvString(h, id.name)
	h = fnvString(h, id.unit)
	h = fnvString(h, id.scope)
	h = fnvString(h, id.svc)
	h = fnvUint64(h, id.res)
	h = fnvUint64(h, id.attrs)
	m := uint64(0)
	if id.mono {
		m = 1
	}
	h = fnvUint64(h, m)
	h = fnvUint64(h, uint64(uint32(id.temp)))
	return mix64(h)
}
