package parts

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestBloomJSON: a part index stores its bloom filters as base64
// strings, reads them back exactly, and still reads indexes written with
// the filters as arrays of numbers (a data directory of an older binary).
func TestBloomJSON(t *testing.T) {
	f := newBloom(1000)
	for i := range 1000 {
		bloomAdd(f, bloomK, hashHalves, [16]byte{byte(i), byte(i >> 8), 7})
	}
	rg := rowGroupBloom([][16]byte{{1}, {2}}, hashMixed)
	m := &PartMeta{First: 3, Last: 3, Rows: 10, Bloom: f, K: bloomK, RowGroupBlooms: []bloomWords{rg}}
	newJSON, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	old := struct {
		PartMeta
		Bloom          []uint64   `json:"bloom"`
		RowGroupBlooms [][]uint64 `json:"rg_blooms"`
	}{*m, f, [][]uint64{rg}}
	oldJSON, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	// The filter is 16 bits per trace: 2000 bytes; base64 takes 4/3 of it,
	// decimal numbers about 2.2 times.
	if len(newJSON) >= len(oldJSON)*7/10 {
		t.Errorf("index of %d bytes, the old form %d: want under 70%% of it", len(newJSON), len(oldJSON))
	}
	for name, data := range map[string][]byte{"base64": newJSON, "numbers": oldJSON} {
		var got PartMeta
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(got.Bloom, m.Bloom) || len(got.RowGroupBlooms) != 1 || !slices.Equal(got.RowGroupBlooms[0], rg) {
			t.Errorf("%s: filters differ after a round trip", name)
		}
		if !got.MayContain("05000700000000000000000000000000") {
			t.Errorf("%s: the filter lost an ID it holds", name)
		}
	}
	for _, bad := range []string{`"AAA="`, `"!!"`, `{}`} {
		var b bloomWords
		if err := json.Unmarshal([]byte(bad), &b); err == nil {
			t.Errorf("%s: decoded, want an error", bad)
		}
	}
	var empty PartMeta
	if err := json.Unmarshal([]byte(`{"bloom":null}`), &empty); err != nil || empty.Bloom != nil {
		t.Errorf("null filter: %v, %v", empty.Bloom, err)
	}
}
