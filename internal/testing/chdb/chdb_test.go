package chdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

func open(t testing.TB, s *Server, db, user, password string) driver.Conn {
	t.Helper()
	c, err := clickhouse.Open(&clickhouse.Options{
		Protocol: clickhouse.HTTP, Addr: []string{s.Endpoint},
		Auth: clickhouse.Auth{Database: db, Username: user, Password: password},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

const ddl = `CREATE TABLE t (
	Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
	ServiceName LowCardinality(String),
	Body String,
	Attrs Map(LowCardinality(String), String),
	Events Nested(Name LowCardinality(String), Ts DateTime64(9)),
	N UInt64
) ENGINE = MergeTree PARTITION BY toDate(Timestamp) ORDER BY (ServiceName, Timestamp)`

// TestClientRoundTrip runs clickhouse-go's HTTP protocol against the engine:
// DDL, a Native batch insert with maps, nested arrays and an empty line in
// a value, a read with bound parameters, and server errors as
// *clickhouse.Exception with their code.
func TestClientRoundTrip(t *testing.T) {
	s := Start(t, Options{})
	ctx := context.Background()
	c := open(t, s, "default", "", "")
	if err := c.Exec(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	b, err := c.PrepareBatch(ctx, "INSERT INTO t (Timestamp, ServiceName, Body, Attrs, `Events.Name`, `Events.Ts`, N)")
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 12, 6, 10, 0, 0, 123456789, time.UTC)
	for i := range 1000 {
		body := fmt.Sprintf("line %d\n\nafter a blank line", i)
		if err := b.Append(base.Add(time.Duration(i)*time.Millisecond), []string{"a", "b"}[i%2], body,
			map[string]string{"k": fmt.Sprint(i % 7)}, []string{"e1"}, []time.Time{base}, uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	var n uint64
	var sum uint64
	var first time.Time
	err = c.QueryRow(ctx, "SELECT count(), sum(N), min(Timestamp) FROM t WHERE ServiceName = {svc:String} AND Attrs['k'] = {k:String}",
		clickhouse.Named("svc", "a"), clickhouse.Named("k", "3")).Scan(&n, &sum, &first)
	if err != nil {
		t.Fatal(err)
	}
	// i even and i%7 == 3: i = 10, 24, ..., 500 values of i in [0,1000) with i%14 == 10.
	var wantN, wantSum uint64
	for i := range 1000 {
		if i%2 == 0 && i%7 == 3 {
			wantN++
			wantSum += uint64(i)
		}
	}
	if n != wantN || sum != wantSum || !first.Equal(base.Add(10*time.Millisecond)) {
		t.Fatalf("count %d sum %d first %v; want %d %d %v", n, sum, first, wantN, wantSum, base.Add(10*time.Millisecond))
	}
	var body string
	var names []string
	if err := c.QueryRow(ctx, "SELECT Body, `Events.Name` FROM t WHERE N = 5").Scan(&body, &names); err != nil {
		t.Fatal(err)
	}
	if body != "line 5\n\nafter a blank line" || len(names) != 1 || names[0] != "e1" {
		t.Fatalf("body %q names %v", body, names)
	}
	err = c.Exec(ctx, "SELECT * FROM missing_table")
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) || ex.Code != 60 {
		t.Fatalf("missing table: %v (%T), want exception 60", err, err)
	}
}

// TestAuthAndDatabase: a wrong password and a missing database are the
// server's errors (516, 81), as a real server answers them.
func TestAuthAndDatabase(t *testing.T) {
	s := Start(t, Options{User: "u", Password: "secret"})
	ctx := context.Background()
	for _, tc := range []struct {
		name, db, user, pw string
		code               int32
	}{
		{"wrong password", "default", "u", "nope", 516},
		{"missing database", "nodb", "u", "secret", 81},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := clickhouse.Open(&clickhouse.Options{Protocol: clickhouse.HTTP, Addr: []string{s.Endpoint},
				Auth: clickhouse.Auth{Database: tc.db, Username: tc.user, Password: tc.pw}})
			if err == nil {
				c := open(t, s, tc.db, tc.user, tc.pw)
				err = c.Ping(ctx)
			}
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%d", tc.code)) {
				t.Fatalf("err %v, want code %d", err, tc.code)
			}
		})
	}
	if err := open(t, s, "default", "u", "secret").Ping(ctx); err != nil {
		t.Fatalf("right password: %v", err)
	}
}

// BenchmarkInsert measures Native batch inserts through the harness (HTTP,
// temporary file, FROM INFILE) of 10k log-like rows.
func BenchmarkInsert(b *testing.B) {
	s := Start(b, Options{})
	ctx := context.Background()
	c := open(b, s, "default", "", "")
	if err := c.Exec(ctx, ddl); err != nil {
		b.Fatal(err)
	}
	base := time.Now()
	const rows = 10000
	b.ResetTimer()
	for range b.N {
		batch, err := c.PrepareBatch(ctx, "INSERT INTO t (Timestamp, ServiceName, Body, Attrs, `Events.Name`, `Events.Ts`, N)")
		if err != nil {
			b.Fatal(err)
		}
		for i := range rows {
			_ = batch.Append(base.Add(time.Duration(i)), "svc", "GET /api/cart 200 in 12ms user=1234",
				map[string]string{"http.method": "GET", "http.status_code": "200", "k": "v"}, []string{}, []time.Time{}, uint64(i))
		}
		if err := batch.Send(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
