package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
)

func TestAndFilter(t *testing.T) {
	node, err := query.Parse("ServiceName:api")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	boom := errors.New("boom")
	tests := []struct {
		name     string
		n        query.Node
		compile  FilterCompiler
		want     string
		wantArgs []any
		wantErr  error
	}{
		{"nil filter", nil, nil, "T >= ?", []any{1}, nil},
		{"filter", node, func(query.Node, *schema.Source) (string, []any, error) { return "a = ?", []any{2}, nil }, "T >= ? AND (a = ?)", []any{1, 2}, nil},
		{"empty filter", node, func(query.Node, *schema.Source) (string, []any, error) { return "", nil, nil }, "T >= ?", []any{1}, nil},
		{"error", node, func(query.Node, *schema.Source) (string, []any, error) { return "", nil, boom }, "", nil, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, a, err := AndFilter("T >= ?", []any{1}, tt.n, &schema.LogsSource, tt.compile)
			if !errors.Is(err, tt.wantErr) || w != tt.want || !reflect.DeepEqual(a, tt.wantArgs) {
				t.Fatalf("got %q %v %v, want %q %v %v", w, a, err, tt.want, tt.wantArgs, tt.wantErr)
			}
		})
	}
}

func TestFacetExprs(t *testing.T) {
	p := FacetParams{Scope: Scope{Source: &schema.LogsSource}, Fields: []string{"ServiceName", "ServiceName +"}, Names: []string{"service", "bad"}}
	if _, _, err := FacetExprs(p, query.DuckDB); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("bad field: %v, want ErrInvalidArgument", err)
	}
	p.Fields, p.Names = p.Fields[:1], p.Names[:1]
	exprs, _, err := FacetExprs(p, query.DuckDB)
	if err != nil || !reflect.DeepEqual(exprs, []string{"(ServiceName) AS f0"}) {
		t.Fatalf("got %v, %v", exprs, err)
	}
}

type fakeRecordRows struct {
	recs []SessionRecord
	i    int
	err  error
}

func (f *fakeRecordRows) Next() bool { f.i++; return f.i <= len(f.recs) }
func (f *fakeRecordRows) Err() error { return f.err }
func (f *fakeRecordRows) Scan(dest ...any) error {
	r := f.recs[f.i-1]
	*dest[0].(*time.Time), *dest[1].(*int64), *dest[2].(*int64), *dest[3].(*int64), *dest[4].(*string) = r.Timestamp, r.Event, r.Chunk, r.TotalChunks, r.Body
	return nil
}

func TestReadRecordPage(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	rows := &fakeRecordRows{recs: manyRecords(t0, 3)}
	recs, more, err := ReadRecordPage(rows, SessionRecordsParams{Limit: 2})
	if err != nil || !more || len(recs) != 2 || recs[0].Timestamp.Location() != time.UTC {
		t.Fatalf("got %d records, more %v, %v", len(recs), more, err)
	}
	boom := errors.New("boom")
	if _, _, err := ReadRecordPage(&fakeRecordRows{err: boom}, SessionRecordsParams{}); !errors.Is(err, boom) {
		t.Fatalf("rows error: %v", err)
	}
}
