package parts

import (
	"testing"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// FuzzPageHeader: readPageHeader decodes any bytes without panicking,
// and what it decodes from a header parquet-go's Thrift decoder also
// decodes is the same header.
func FuzzPageHeader(f *testing.F) {
	var p thrift.CompactProtocol
	for _, h := range []format.PageHeader{
		{Type: format.DataPageV2, UncompressedPageSize: 1000, CompressedPageSize: 300,
			DataPageHeaderV2: thrift.New(format.DataPageHeaderV2{NumValues: 50, NumNulls: 2, NumRows: 10,
				Encoding: format.RLEDictionary, DefinitionLevelsByteLength: 7, RepetitionLevelsByteLength: 9,
				IsCompressed: thrift.New(false), Statistics: format.Statistics{MinValue: []byte("a"), MaxValue: []byte("z")}})},
		{Type: format.DictionaryPage, UncompressedPageSize: 2 << 20, CompressedPageSize: 400 << 10, CRC: 7,
			DictionaryPageHeader: thrift.New(format.DictionaryPageHeader{NumValues: 100_000, Encoding: format.Plain, IsSorted: true})},
		{Type: format.DataPage, UncompressedPageSize: 10, CompressedPageSize: 10,
			DataPageHeader: thrift.New(format.DataPageHeader{NumValues: 3, Encoding: format.Plain})},
	} {
		b, err := thrift.Marshal(&p, &h)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, n, err := readPageHeader(b)
		if err != nil {
			return
		}
		if n > len(b) {
			t.Fatalf("header of %d bytes in %d", n, len(b))
		}
		var want format.PageHeader
		if thrift.Unmarshal(&p, b[:n], &want) != nil {
			return // parquet-go is stricter (required fields); the page is read by it then
		}
		v2, okV2 := want.DataPageHeaderV2.Get()
		dict, okDict := want.DictionaryPageHeader.Get()
		if got.typ != int32(want.Type) || got.uncompressed != want.UncompressedPageSize || got.compressed != want.CompressedPageSize ||
			got.hasV2 != okV2 || got.hasDict != okDict {
			t.Fatalf("got %+v, parquet-go %+v", got, want)
		}
		if okV2 {
			comp, set := v2.IsCompressed.Get()
			if got.numValues != v2.NumValues || got.numNulls != v2.NumNulls || got.numRows != v2.NumRows ||
				got.encoding != int32(v2.Encoding) || got.defLen != v2.DefinitionLevelsByteLength ||
				got.repLen != v2.RepetitionLevelsByteLength || got.compressedV2 != (comp || !set) {
				t.Fatalf("v2: got %+v, parquet-go %+v", got, v2)
			}
		}
		if okDict && !okV2 && (got.numValues != dict.NumValues || got.encoding != int32(dict.Encoding)) {
			t.Fatalf("dictionary: got %+v, parquet-go %+v", got, dict)
		}
	})
}
