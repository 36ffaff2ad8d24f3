package parts

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// walSegmentBytes is a WAL segment (format 1: no header, CRC not
// seeded) of records encoded from generated requests, and the end offset
// of each record.
func walSegmentBytes(kind Kind, records int) ([]byte, []int) {
	return walSegmentFormat(kind, records, 1)
}

// walSegmentFormat is walSegmentBytes in the given format; format 2 is
// segment 1's (replayBytes names the file wal-00000001.log).
func walSegmentFormat(kind Kind, records, format int) ([]byte, []int) {
	r := rand.New(rand.NewPCG(7, 8))
	var seg []byte
	var ends []int
	var seed uint32
	if format == 2 {
		seg = binary.LittleEndian.AppendUint32([]byte(walMagic), walFormat)
		seed = walSeed(1)
	}
	for i := range records {
		var b encBatch
		if kind == Traces {
			b.encodeTraces(benchTraces(r, 3+i, base))
		} else {
			b.encodeLogs(benchLogs(r, 3+i, base))
		}
		rec := b.walRecord(nil, kind)
		seg = binary.LittleEndian.AppendUint32(seg, uint32(len(rec)))
		seg = binary.LittleEndian.AppendUint32(seg, crc32.Update(seed, castagnoli, rec))
		seg = append(seg, rec...)
		ends = append(ends, len(seg))
	}
	return seg, ends
}

// replayBytes replays seg as a WAL segment of kind into a part buffer.
func replayBytes(t *testing.T, seg []byte, kind Kind) (records, rows int, err error) {
	path := filepath.Join(t.TempDir(), walName(1))
	if err := os.WriteFile(path, seg, 0o644); err != nil {
		t.Fatal(err)
	}
	p := newPartBuf(0, nil)
	defer p.free()
	var b encBatch
	records, err = replaySegment(path, func(rec []byte) error {
		if err := b.fromWAL(rec, kind); err != nil {
			return err
		}
		return p.add(&b)
	})
	return records, len(p.rows), err
}

// FuzzWALTail: a segment of either format (k/2 odd: format 2) cut
// short anywhere and with one byte damaged anywhere replays exactly the
// records before the first damaged or missing byte, without error — but
// a damaged format version, which fails naming it.
func FuzzWALTail(f *testing.F) {
	for _, k := range []uint8{0, 1, 2, 3} {
		seg, _ := walSegmentFormat(Kind(k%2), 4, 1+int(k/2%2))
		f.Add(k, uint32(len(seg)), uint32(len(seg)), byte(0))
		f.Add(k, uint32(len(seg)-1), uint32(3), byte(1))
		f.Add(k, uint32(20), uint32(100), byte(0x80))
		f.Add(k, uint32(len(seg)), uint32(5), byte(0x40))
	}
	f.Fuzz(func(t *testing.T, k uint8, cut, flip uint32, xor byte) {
		kind, format := Kind(k%2), 1+int(k/2%2)
		seg, ends := walSegmentFormat(kind, 4, format)
		cut %= uint32(len(seg)) + 1
		seg = seg[:cut]
		damaged := len(seg) // first damaged or missing byte
		if int(flip) < len(seg) && xor != 0 {
			seg[flip] ^= xor
			damaged = int(flip)
		}
		want := 0
		for _, e := range ends {
			if e > damaged || e > len(seg) {
				break
			}
			want++
		}
		got, _, err := replayBytes(t, seg, kind)
		if format == 2 && damaged >= 4 && damaged < walHeaderSize && len(seg) >= walHeaderSize {
			if err == nil || !strings.Contains(err.Error(), "format version") {
				t.Fatalf("replay with a damaged format version: err = %v, want one naming it", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if got != want {
			t.Fatalf("replayed %d records, want %d (cut %d, damaged at %d)", got, want, cut, damaged)
		}
	})
}

// FuzzWALRecord: any bytes as a record with a valid CRC (what this code
// did not write) fail cleanly or decode: never a panic.
func FuzzWALRecord(f *testing.F) {
	for _, kind := range []Kind{Traces, Logs} {
		var b encBatch
		r := rand.New(rand.NewPCG(1, 1))
		if kind == Traces {
			b.encodeTraces(benchTraces(r, 2, base))
		} else {
			b.encodeLogs(benchLogs(r, 2, base))
		}
		f.Add(b.walRecord(nil, kind))
	}
	f.Add([]byte{1, 0, 1, 0})
	f.Fuzz(func(t *testing.T, rec []byte) {
		for _, kind := range []Kind{Traces, Logs} {
			var b encBatch
			if err := b.fromWAL(rec, kind); err != nil {
				continue
			}
			// It decoded: the part writer must decode it the same way.
			p := newPartBuf(0, nil)
			if err := p.add(&b); err != nil {
				t.Fatal(err)
			}
			d := newDecoder(p, kind)
			for _, ref := range p.rows {
				var err error
				if kind == Traces {
					var r SpanRow
					err = d.span(ref, &r)
				} else {
					var r LogRow
					err = d.log(ref, &r)
				}
				if err != nil {
					t.Fatalf("row validated at replay does not decode: %v", err)
				}
			}
			p.free()
		}
	})
}

// FuzzPartIndex: any bytes as a part index fail cleanly or give an index
// whose bloom filter can be probed.
func FuzzPartIndex(f *testing.F) {
	mb := newMetaBuilder(3, 5, 493000, 10)
	mb.add(time.Now().UnixNano(), [16]byte{1, 2, 3}, "svc", "")
	good, _ := json.Marshal(mb.finish())
	f.Add("part-00000003-00000005-h493000.json", good)
	f.Add("part-00000003-00000005.json", []byte(`{"first":3,"last":5,"k":64,"bloom":[1]}`))
	f.Add("part-1-2.json", []byte(`{}`))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		m, err := parseMeta(name, data)
		if err != nil {
			return
		}
		for _, id := range []string{"0102030000000000000000000000000000", "01020300000000000000000000000000", "zz", ""} {
			m.MayContain(id)
		}
		if first, last, hour, ok := parsePartName(m.File()); !ok || first != m.First || last != m.Last || hour != m.Hour {
			t.Fatalf("index %s names file %s", name, m.File())
		}
	})
}

func TestMetaBloomHasEveryID(t *testing.T) {
	mb := newMetaBuilder(1, 1, 0, 1000)
	var ids [][16]byte
	r := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		var id [16]byte
		binary.LittleEndian.PutUint64(id[:], r.Uint64())
		binary.LittleEndian.PutUint64(id[8:], r.Uint64())
		ids = append(ids, id)
		mb.add(1, id, "s", "")
	}
	m := mb.finish()
	for _, id := range ids {
		if !m.MayContain(hexID(id)) {
			t.Fatalf("bloom misses %x", id)
		}
	}
	false1 := 0
	for range 10000 {
		var id [16]byte
		binary.LittleEndian.PutUint64(id[:], r.Uint64())
		if m.MayContain(hexID(id)) {
			false1++
		}
	}
	if false1 > 50 { // ≈ 0.05% expected: 5 of 10000
		t.Fatalf("%d false positives in 10000", false1)
	}
	if !bytes.Equal([]byte(m.Services[0]), []byte("s")) || m.Rows != 1000 {
		t.Fatalf("meta %+v", m)
	}
}

func hexID(id [16]byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 32)
	for i, c := range id {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}
