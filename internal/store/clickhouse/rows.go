package clickhouse

import (
	"encoding/hex"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store/series"
)

// tableRows collects the rows of one table for one insert: values in the
// order of the table's flattened columns (Nested columns as their
// "Name.Field" arrays), of which the insert sends those the database has.
type tableRows struct {
	table *schema.Table
	cols  []string       // flattened column names
	pos   map[string]int // name → index in cols
	rows  [][]any
	cur   []any
}

func newTableRows(t *schema.Table) *tableRows {
	r := &tableRows{table: t, pos: map[string]int{}}
	for _, c := range t.Columns {
		if c.Type == schema.Nested {
			for _, f := range c.Fields {
				r.pos[c.Name+"."+f.Name] = len(r.cols)
				r.cols = append(r.cols, c.Name+"."+f.Name)
			}
			continue
		}
		r.pos[c.Name] = len(r.cols)
		r.cols = append(r.cols, c.Name)
	}
	return r
}

func (r *tableRows) begin() { r.cur = make([]any, len(r.cols)) }

func (r *tableRows) set(name string, v any) {
	i, ok := r.pos[name]
	if !ok {
		panic("BUG: " + r.table.Name + " has no column " + name)
	}
	r.cur[i] = v
}

func (r *tableRows) end() { r.rows = append(r.rows, r.cur) }

// str makes s valid UTF-8 (pdata's decoder does not validate it).
func str(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// maxNanos is the largest instant stored (DateTime64(9) ends in 2262).
const maxNanos = math.MaxInt64 - 2

func ts(t pcommon.Timestamp) time.Time {
	n := uint64(t)
	if n > maxNanos {
		n = maxNanos
	}
	return time.Unix(0, int64(n)).UTC()
}

// hexID is the lowercase hex of an id, "" when it is all zero (as the
// exporter writes them).
func hexID(id []byte) string {
	for _, b := range id {
		if b != 0 {
			return hex.EncodeToString(id)
		}
	}
	return ""
}

// attrs is m as the exporter stores it: values AsString (JSON for maps
// and slices, base64 for bytes), entries in pdata's order. The order
// matters: ClickHouse compares Map values entry by entry, so a Go map's
// random order would make equal attribute sets differ in GROUP BY (and
// passing an ordered map spares clickhouse-go's reflection).
func attrs(m pcommon.Map) *attrMap {
	out := &attrMap{k: make([]string, 0, m.Len()), v: make([]string, 0, m.Len())}
	for k, v := range m.All() {
		out.k = append(out.k, str(k))
		out.v = append(out.v, str(v.AsString()))
	}
	return out
}

// attrMap is an attribute map in insertion order, appended to Map columns
// as clickhouse-go's column.IterableOrderedMap.
type attrMap struct{ k, v []string }

var _ column.IterableOrderedMap = (*attrMap)(nil)

func (m *attrMap) Put(k, v any) {
	m.k = append(m.k, k.(string))
	m.v = append(m.v, v.(string))
}

func (m *attrMap) Iterator() column.MapIterator { return &attrIter{m: m, i: -1} }

type attrIter struct {
	m *attrMap
	i int
}

func (it *attrIter) Next() bool { it.i++; return it.i < len(it.m.k) }
func (it *attrIter) Key() any   { return it.m.k[it.i] }
func (it *attrIter) Value() any { return it.m.v[it.i] }

// attrsHash is series.AttrsHash of a stored map.
func attrsHash(m *attrMap) uint64 { return series.AttrsHash(m.k, m.v) }

func serviceName(res pcommon.Resource) string {
	if v, ok := res.Attributes().Get("service.name"); ok {
		return str(v.AsString())
	}
	return ""
}
