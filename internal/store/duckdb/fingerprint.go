package duckdb

import fp "github.com/overlook-dev/overlook/internal/store/series"

// Series fingerprints (schema.SeriesFingerprint) are computed by the
// backend-neutral internal/store/series, shared with the ClickHouse store;
// these names keep the DuckDB store's call sites.

const fnvOffset = fp.FNVOffset

func fnvString(h uint64, s string) uint64 { return fp.FNVString(h, s) }
func fnvUint64(h, v uint64) uint64        { return fp.FNVUint64(h, v) }
func mix64(x uint64) uint64               { return fp.Mix64(x) }
func attrsHash(keys, vals []string) uint64 {
	return fp.AttrsHash(keys, vals)
}

// seriesIdentity is fp.Identity with the DuckDB store's field names.
type seriesIdentity struct {
	name, unit, scope, svc string
	res, attrs             uint64
	mono                   bool
	temp                   int32
}

func (id *seriesIdentity) fingerprint() uint64 {
	s := fp.Identity{Name: id.name, Unit: id.unit, Scope: id.scope, Svc: id.svc,
		Res: id.res, Attrs: id.attrs, Mono: id.mono, Temp: id.temp}
	return s.Fingerprint()
}
