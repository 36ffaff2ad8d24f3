package query

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/schema"
)

// TestDurationUnits: a number with a unit compares with Duration as
// nanoseconds, in Lucene and SQL modes, quoted or not; a bare number keeps
// meaning nanoseconds; the duration alias (ms) takes units as well.
func TestDurationUnits(t *testing.T) {
	traces := &schema.TracesSource
	cases := []struct {
		sql   bool
		in    string
		where string
		args  string
	}{
		{false, `Duration:>200ms`, `Duration > ?`, `[200000000]`},
		{false, `Duration:>=1.5s`, `Duration >= ?`, `[1500000000]`},
		{false, `Duration:<250us`, `Duration < ?`, `[250000]`},
		{false, `Duration:<250µs`, `Duration < ?`, `[250000]`},
		{false, `Duration:>10ns`, `Duration > ?`, `[10]`},
		{false, `Duration:>2m`, `Duration > ?`, `[120000000000]`},
		{false, `Duration:>1h`, `Duration > ?`, `[3600000000000]`},
		{false, `Duration:>0.5ns`, `Duration > CAST(? AS DOUBLE)`, `[0.5]`},
		{false, `Duration:[100ms TO 1s]`, `(Duration >= ? AND Duration <= ?)`, `[100000000 1000000000]`},
		{false, `Duration:{100ms TO *]`, `Duration > ?`, `[100000000]`},
		{false, `Duration:200ms`, `Duration = ?`, `[200000000]`},
		{false, `Duration:"200ms"`, `Duration = ?`, `[200000000]`},
		{false, `Duration:>200`, `Duration > ?`, `[200]`},
		{false, `duration:>200ms`, `Duration > ?`, `[200000000]`},
		{false, `duration:>200`, `Duration > ?`, `[200000000]`},
		{false, `duration:[1s TO 2s]`, `(Duration >= ? AND Duration <= ?)`, `[1000000000 2000000000]`},
		{true, `Duration > 200ms`, `Duration > ?`, `[200000000]`},
		{true, `Duration > '200ms'`, `Duration > ?`, `[200000000]`},
		{true, `Duration > 1.5s AND Duration < 2s`, `(Duration > ? AND Duration < ?)`, `[1500000000 2000000000]`},
		{true, `Duration BETWEEN 100ms AND 1s`, `(Duration >= ? AND Duration <= ?)`, `[100000000 1000000000]`},
		{true, `Duration BETWEEN '100ms' AND '1s'`, `(Duration >= ? AND Duration <= ?)`, `[100000000 1000000000]`},
		{true, `Duration IN (1ms, 2ms)`, `Duration IN (?, ?)`, `[1000000 2000000]`},
		{true, `200ms < Duration`, `Duration > ?`, `[200000000]`},
		{true, `Duration > 200µs`, `Duration > ?`, `[200000]`},
		{true, `Duration > 200`, `Duration > ?`, `[200]`},
		{true, `duration > 2s`, `Duration > ?`, `[2000000000]`},
	}
	for _, c := range cases {
		parse := Parse
		if c.sql {
			parse = ParseSQL
		}
		n, err := parse(c.in)
		if err != nil {
			t.Errorf("%q: parse: %v", c.in, err)
			continue
		}
		where, args, err := Compile(n, traces, DuckDB)
		if err != nil {
			t.Errorf("%q: compile: %v", c.in, err)
			continue
		}
		where = strings.ReplaceAll(where, `"`, ``)
		if where != c.where || fmt.Sprint(args) != c.args {
			t.Errorf("%q: got %s %v, want %s %s", c.in, where, args, c.where, c.args)
		}
	}
}

// TestDurationUnitErrors: a unit on a column that is not a duration is a
// field error naming the column; a malformed unit is a syntax error.
func TestDurationUnitErrors(t *testing.T) {
	cases := []struct {
		src   *schema.Source
		sql   bool
		in    string
		field string
		msg   string
	}{
		{&schema.LogsSource, false, `SeverityNumber:>200ms`, "SeverityNumber", `field "SeverityNumber" is not a duration: "200ms" has a unit`},
		{&schema.LogsSource, true, `SeverityNumber > 200ms`, "SeverityNumber", `field "SeverityNumber" is not a duration`},
		{&schema.LogsSource, true, `SeverityNumber > '200ms'`, "SeverityNumber", `is not a duration`},
		{&schema.TracesSource, false, `SpanAttributes.http.status_code:>2s`, "SpanAttributes.http.status_code", `is not a duration`},
		{&schema.TracesSource, true, `ServiceName = 5m`, "ServiceName", `field "ServiceName" is not a duration`},
		{&schema.LogsSource, false, `Body:[1s TO 2s]`, "Body", `durations exist on traces only`},
	}
	for _, c := range cases {
		parse := Parse
		if c.sql {
			parse = ParseSQL
		}
		n, err := parse(c.in)
		if err == nil {
			_, _, err = Compile(n, c.src, DuckDB)
		}
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%q: got %v, want a field error", c.in, err)
			continue
		}
		if fe.Field != c.field || !strings.Contains(fe.Error(), c.msg) {
			t.Errorf("%q: got field %q %q, want %q containing %q", c.in, fe.Field, fe.Error(), c.field, c.msg)
		}
	}
	for _, in := range []string{`Duration > 200min`, `Duration > 2e3ms`, `Duration > 1.2.3ms`} {
		if _, err := ParseSQL(in); err == nil {
			t.Errorf("%q: parsed, want a syntax error", in)
		}
	}
	// Not durations: a word that only looks like one stays text.
	for _, in := range []string{`Body:200ms`, `ServiceName:"5m"`} {
		n, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Compile(n, &schema.LogsSource, DuckDB); err != nil {
			t.Errorf("%q: %v, want a text search", in, err)
		}
	}
}
