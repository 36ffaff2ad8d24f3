package main

import (
	"bytes"
	"encoding/binary"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// encodeHello writes one Native block, in the client's protocol revision,
// with the columns of clickhouse-go's handshake query: displayName(),
// version(), revision() = 0, timezone().
func encodeHello(b *bytes.Buffer, version, tz string) {
	uv := func(v uint64) { b.Write(binary.AppendUvarint(nil, v)) }
	str := func(s string) { uv(uint64(len(s))); b.WriteString(s) }
	// Block info: field 1 is_overflows=0, field 2 bucket_num=-1, end.
	uv(1)
	b.WriteByte(0)
	uv(2)
	b.Write([]byte{0xff, 0xff, 0xff, 0xff})
	uv(0)
	uv(4) // columns
	uv(1) // rows
	custom := clickhouse.ClientTCPProtocolVersion >= 54454
	col := func(name, typ string, data func()) {
		str(name)
		str(typ)
		if custom {
			b.WriteByte(0)
		}
		data()
	}
	col("displayName()", "String", func() { str("chdbserver") })
	col("version()", "String", func() { str(version) })
	col("revision()", "UInt32", func() { b.Write([]byte{0, 0, 0, 0}) })
	col("timezone()", "String", func() { str(tz) })
}
