package duckdb

import (
	"testing"
	"unsafe"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// TestValidityOK: validity.ok, read in Go, agrees with DuckDB's
// duckdb_validity_row_is_valid on every row of a mask of several words.
func TestValidityOK(t *testing.T) {
	mask := []uint64{0xF0F0_0000_0000_0001, 0, ^uint64(0), 1 << 63}
	m := validity{unsafe.Pointer(&mask[0])}
	for row := range 64 * len(mask) {
		want := bindings.ValidityRowIsValid(m.mask, bindings.IdxT(row))
		if got := m.ok(row); got != want {
			t.Fatalf("row %d: ok %v, DuckDB says %v", row, got, want)
		}
	}
	if !(validity{}).ok(12345) {
		t.Fatal("no mask: a row is NULL")
	}
}
