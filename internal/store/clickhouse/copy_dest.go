package clickhouse

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// The destination side of `overlook copy` (internal/copytool): rows read
// from another store (as store.Row, the schema's columns) written as they
// are, and the per-day bookkeeping that makes a copy resumable.

// CountRange counts the rows of schema table t whose time column is in
// [start, end).
func (s *Store) CountRange(ctx context.Context, t *schema.Table, start, end time.Time) (int64, error) {
	if s.columns[t.Name] == nil {
		return 0, fmt.Errorf("%w: table %s is missing in ClickHouse database %q (storage::clickhouse::create_schema)", store.ErrUnavailable, s.names[t.Name], s.db)
	}
	tc := ident(t.TimeColumn)
	var n int64
	q := fmt.Sprintf("SELECT toInt64(count()) FROM %s WHERE %s >= ? AND %s < ?", s.table(t.Name), tc, tc)
	err := s.scan(ctx, q, []any{clamp(start), clamp(end)}, func(_ []string, v []any) error {
		n = v[0].(int64)
		return nil
	})
	if err != nil {
		return 0, readErr(fmt.Errorf("count %s: %w", s.names[t.Name], err))
	}
	return n, nil
}

// DeleteRange deletes the rows of schema table t whose time column is in
// [start, end), returning once they are gone (a mutation waited for on
// every replica: mutations_sync=2).
func (s *Store) DeleteRange(ctx context.Context, t *schema.Table, start, end time.Time) error {
	if s.cfg.ReadOnly {
		return fmt.Errorf("%w: %w", store.ErrInvalidArgument, ErrReadOnly)
	}
	tc := ident(t.TimeColumn)
	on := ""
	if s.cfg.Cluster != "" {
		on = " ON CLUSTER " + ident(s.cfg.Cluster)
	}
	name := s.names[t.Name]
	if s.cfg.Cluster != "" {
		name += "_local"
	}
	q, args := bindTimes(fmt.Sprintf("ALTER TABLE %s.%s%s DELETE WHERE %s >= ? AND %s < ?", ident(s.db), ident(name), on, tc, tc),
		[]any{clamp(start), clamp(end)})
	ctx = ch.Context(ctx, ch.WithSettings(ch.Settings{"mutations_sync": 2}))
	if err := s.conn.Exec(ctx, q, args...); err != nil {
		return readErr(fmt.Errorf("delete from %s: %w", name, err))
	}
	return nil
}

// InsertRows writes rows of schema table t (every column as store.Row
// holds it: the schema's names, Nested columns as "Name.Field" arrays)
// in one INSERT; values are converted to the columns' types, map entries
// sorted by key. It returns once ClickHouse wrote them.
func (s *Store) InsertRows(ctx context.Context, t *schema.Table, rows []store.Row) error {
	r := newTableRows(t)
	types := columnTypes(t)
	for _, row := range rows {
		r.begin()
		for i, c := range r.cols {
			v, err := coerce(row[c], types[i])
			if err != nil {
				return fmt.Errorf("%w: %s.%s: %w", store.ErrInvalidArgument, t.Name, c, err)
			}
			r.cur[i] = v
		}
		r.end()
	}
	return s.insert(ctx, r)
}

// flatType is a flattened column's type: a Nested field's is an array of
// its element type.
type flatType struct {
	t     schema.Type
	array bool
}

func columnTypes(t *schema.Table) []flatType {
	var out []flatType
	for _, c := range t.Columns {
		if c.Type == schema.Nested {
			for _, f := range c.Fields {
				out = append(out, flatType{t: f.Type, array: true})
			}
			continue
		}
		out = append(out, flatType{t: c.Type})
	}
	return out
}

// coerce converts v to the Go type the insert appends for ct (a missing
// value is the type's zero).
func coerce(v any, ct flatType) (any, error) {
	if ct.array {
		rv := reflect.ValueOf(v)
		n := 0
		if v != nil {
			if rv.Kind() != reflect.Slice {
				return nil, fmt.Errorf("%T is not an array", v)
			}
			n = rv.Len()
		}
		out := reflect.MakeSlice(reflect.SliceOf(goType(ct.t)), n, n)
		for i := range n {
			e, err := coerce(rv.Index(i).Interface(), flatType{t: ct.t})
			if err != nil {
				return nil, err
			}
			out.Index(i).Set(reflect.ValueOf(e))
		}
		return out.Interface(), nil
	}
	switch ct.t {
	case schema.String:
		switch x := v.(type) {
		case nil:
			return "", nil
		case string:
			return str(x), nil
		case []byte:
			return str(string(x)), nil
		}
	case schema.Bool:
		switch x := v.(type) {
		case nil:
			return false, nil
		case bool:
			return x, nil
		}
	case schema.Timestamp, schema.Seconds:
		switch x := v.(type) {
		case nil:
			return time.Unix(0, 0).UTC(), nil
		case time.Time:
			return x.UTC(), nil
		}
	case schema.Map:
		m := &attrMap{}
		switch x := v.(type) {
		case nil:
		case map[string]string:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				m.k, m.v = append(m.k, str(k)), append(m.v, str(x[k]))
			}
		default:
			return nil, fmt.Errorf("%T is not a map of strings", v)
		}
		return m, nil
	case schema.ArrayUInt64, schema.ArrayFloat64:
		return coerce(v, flatType{t: map[schema.Type]schema.Type{schema.ArrayUInt64: schema.UInt64, schema.ArrayFloat64: schema.Float64}[ct.t], array: true})
	default:
		if v == nil {
			return reflect.Zero(goType(ct.t)).Interface(), nil
		}
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			return rv.Convert(goType(ct.t)).Interface(), nil
		}
	}
	return nil, fmt.Errorf("%T cannot be stored as %s", v, chType(ct.t))
}

// goType is the Go type appended for a scalar column type.
func goType(t schema.Type) reflect.Type {
	switch t {
	case schema.String:
		return reflect.TypeFor[string]()
	case schema.Int32:
		return reflect.TypeFor[int32]()
	case schema.UInt8:
		return reflect.TypeFor[uint8]()
	case schema.UInt32:
		return reflect.TypeFor[uint32]()
	case schema.UInt64:
		return reflect.TypeFor[uint64]()
	case schema.Float64:
		return reflect.TypeFor[float64]()
	case schema.Bool:
		return reflect.TypeFor[bool]()
	case schema.Timestamp, schema.Seconds:
		return reflect.TypeFor[time.Time]()
	case schema.Map:
		return reflect.TypeFor[*attrMap]()
	}
	return reflect.TypeFor[any]()
}
