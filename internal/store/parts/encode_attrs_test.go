package parts

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// wireAttrs returns log attributes decoded from the wire, where a map can
// hold a key twice (pdata's Put cannot make one): the keys, all of 4
// bytes, are written as distinct placeholders of 4 bytes and put in
// place in the encoded bytes.
func wireAttrs(t *testing.T, kvs [][2]string) pcommon.Map {
	t.Helper()
	ld := plog.NewLogs()
	m := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes()
	for i, kv := range kvs {
		if len(kv[0]) != 4 {
			t.Fatalf("key %q: want 4 bytes", kv[0])
		}
		m.PutStr(fmt.Sprintf("@%03d", i), kv[1])
	}
	buf, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	for i, kv := range kvs {
		buf = bytes.Replace(buf, []byte(fmt.Sprintf("@%03d", i)), []byte(kv[0]), 1)
	}
	if ld, err = (&plog.ProtoUnmarshaler{}).UnmarshalLogs(buf); err != nil {
		t.Fatal(err)
	}
	return ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
}

// TestAttrsEncoding: attrs keeps the first of duplicate keys (also keys
// equal only once made valid UTF-8), in order, with the small-map and the
// large-map (> 16 keys) paths alike.
func TestAttrsEncoding(t *testing.T) {
	many := func(extra ...[2]string) [][2]string {
		var kvs [][2]string
		for i := range 18 {
			kvs = append(kvs, [2]string{fmt.Sprintf("k%03d", i), fmt.Sprint(i)})
		}
		return append(kvs, extra...)
	}
	for _, tc := range []struct {
		name string
		in   [][2]string
		want [][2]string
	}{
		{"distinct", [][2]string{{"aaa1", "1"}, {"bbb1", "2"}}, [][2]string{{"aaa1", "1"}, {"bbb1", "2"}}},
		{"duplicate", [][2]string{{"aaa1", "1"}, {"bbb1", "2"}, {"aaa1", "3"}}, [][2]string{{"aaa1", "1"}, {"bbb1", "2"}}},
		{"equal once valid", [][2]string{{"xyz\xff", "1"}, {"xyz\xfe", "2"}, {"yyyy", "3\xff"}}, [][2]string{{"xyz\uFFFD", "1"}, {"yyyy", "3\uFFFD"}}},
		{"large, duplicate", many([2]string{"k003", "dup"}, [2]string{"zzz\xff", "a"}, [2]string{"zzz\xfe", "b"}),
			append(many()[:18:18], [2]string{"zzz\uFFFD", "a"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b encBatch
			b.attrs(wireAttrs(t, tc.in))
			got, rest := decodeAttrsForTest(t, b.buf)
			if len(rest) != 0 || !slices.Equal(got, tc.want) {
				t.Fatalf("encoded %q (rest %d bytes), want %q", got, len(rest), tc.want)
			}
		})
	}
}

func decodeAttrsForTest(t *testing.T, b []byte) ([][2]string, []byte) {
	t.Helper()
	next := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			t.Fatalf("bad uvarint")
		}
		b = b[n:]
		return v
	}
	str := func() string {
		n := next()
		s := string(b[:n])
		b = b[n:]
		return s
	}
	var out [][2]string
	for range next() {
		k := str()
		out = append(out, [2]string{k, str()})
	}
	return out, b
}
