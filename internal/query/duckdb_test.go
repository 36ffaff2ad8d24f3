package query

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/overlook-dev/overlook/internal/schema"
)

// duckType maps a logical type to the DuckDB type the store uses.
func duckType(t schema.Type) (string, bool) {
	switch t {
	case schema.String:
		return "VARCHAR", true
	case schema.Int32:
		return "INTEGER", true
	case schema.UInt8:
		return "UTINYINT", true
	case schema.UInt32:
		return "UINTEGER", true
	case schema.UInt64:
		return "UBIGINT", true
	case schema.Float64:
		return "DOUBLE", true
	case schema.Bool:
		return "BOOLEAN", true
	case schema.Timestamp:
		return "TIMESTAMP_NS", true
	case schema.Seconds:
		return "TIMESTAMP", true
	case schema.Map:
		return "MAP(VARCHAR, VARCHAR)", true
	}
	return "", false // nested and arrays are not searchable
}

// createTable creates a table shaped like t plus a row_id column.
func createTable(db *sql.DB, t *schema.Table) error {
	cols := []string{"row_id INTEGER"}
	for _, c := range t.Columns {
		if typ, ok := duckType(c.Type); ok {
			cols = append(cols, c.Name+" "+typ)
		}
	}
	_, err := db.Exec(fmt.Sprintf("CREATE TABLE %s (%s)", t.Name, strings.Join(cols, ", ")))
	return err
}

// Test rows. Column lists name the columns set; the rest are NULL/defaults.
var logRows = []string{
	`(1, TIMESTAMP_NS '2024-01-01 10:00:00', 'INFO', 9, 'checkout', 'User logged in successfully', 'aaaa', 'bbbb',
	  MAP {'userEmail': 'braulio@example.com', 'http.method': 'GET', 'http.target': '/api/v1/users', 'latency': '120'},
	  MAP {'service.name': 'checkout', 'k8s.pod.name': 'checkout-abc'}, MAP {}::MAP(VARCHAR, VARCHAR))`,
	`(2, TIMESTAMP_NS '2024-01-01 11:00:00', 'ERROR', 17, 'payment', 'Payment failed: card declined', 'cccc', 'dddd',
	  MAP {'userEmail': 'alice@example.com', 'http.method': 'POST', 'latency': '450', 'card_type': 'visa'},
	  MAP {'k8s.pod.name': 'payment-xyz'}, MAP {}::MAP(VARCHAR, VARCHAR))`,
	`(3, TIMESTAMP_NS '2024-01-02 10:00:00', 'warn', 13, 'checkout', 'Slow request to /api/v1/cart took 2.5s', '', '',
	  MAP {'latency': 'abc', 'http.method': 'GET'}, MAP {}::MAP(VARCHAR, VARCHAR), MAP {'lib': 'net/http'})`,
	`(4, TIMESTAMP_NS '2024-01-03 10:00:00', 'fatal', 21, 'frontend', 'panic: runtime error: index out of range', '', '',
	  MAP {'user_name': 'O''Brien', 'path': '50%_off'}, MAP {}::MAP(VARCHAR, VARCHAR), MAP {}::MAP(VARCHAR, VARCHAR))`,
	`(5, TIMESTAMP_NS '2024-01-04 10:00:00', 'DEBUG', 5, 'frontend', 'cache miss for key user:42 (payments_v2)', '', '',
	  MAP {}::MAP(VARCHAR, VARCHAR), MAP {'userEmail': 'resource@example.com'}, MAP {}::MAP(VARCHAR, VARCHAR))`,
	`(6, TIMESTAMP_NS '2024-01-05 10:00:00', '', 0, 'payment', 'payments processed 100% Über größe', '', '',
	  MAP {'percent': '100%'}, MAP {}::MAP(VARCHAR, VARCHAR), MAP {}::MAP(VARCHAR, VARCHAR))`,
}

const logCols = "row_id, Timestamp, SeverityText, SeverityNumber, ServiceName, Body, TraceId, SpanId, LogAttributes, ResourceAttributes, ScopeAttributes"

var traceRows = []string{
	`(1, TIMESTAMP_NS '2024-01-01 10:00:00', 't1', 's1', 'GET /api/cart', 'Server', 'checkout', 150000000, 'Ok',
	  MAP {'http.method': 'GET', 'http.status_code': '200', 'app.payment.card_type': 'visa'}, MAP {'service.name': 'checkout'})`,
	`(2, TIMESTAMP_NS '2024-01-01 11:00:00', 't2', 's2', 'POST /api/payment', 'Server', 'payment', 1200000000, 'Error',
	  MAP {'http.method': 'POST', 'http.status_code': '500', 'app.payment.card_type': 'mastercard'}, MAP {'service.name': 'payment'})`,
	`(3, TIMESTAMP_NS '2024-01-02 10:00:00', 't2', 's3', 'db.query', 'Client', 'payment', 5000000, 'Unset',
	  MAP {'db.system': 'postgres'}, MAP {}::MAP(VARCHAR, VARCHAR))`,
	`(4, TIMESTAMP_NS '2024-01-03 10:00:00', 't3', 's4', 'HTTP GET', 'Client', 'frontend', 100000000, 'Unset',
	  MAP {'http.method': 'GET', 'http.status_code': 'abc'}, MAP {}::MAP(VARCHAR, VARCHAR))`,
	`(5, TIMESTAMP_NS '2024-01-04 10:00:00', 't4', 's5', 'process-payment', 'Internal', 'payment', 50500000, 'Error',
	  MAP {}::MAP(VARCHAR, VARCHAR), MAP {'http.method': 'resource-level'})`,
}

const traceCols = "row_id, Timestamp, TraceId, SpanId, SpanName, SpanKind, ServiceName, Duration, StatusCode, SpanAttributes, ResourceAttributes"

func openTestDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	for _, tb := range []*schema.Table{&schema.Logs, &schema.Traces} {
		if err := createTable(db, tb); err != nil {
			t.Fatalf("create %s: %v", tb.Name, err)
		}
	}
	if _, err := db.Exec("INSERT INTO otel_logs (" + logCols + ") VALUES " + strings.Join(logRows, ", ")); err != nil {
		t.Fatalf("insert logs: %v", err)
	}
	if _, err := db.Exec("INSERT INTO otel_traces (" + traceCols + ") VALUES " + strings.Join(traceRows, ", ")); err != nil {
		t.Fatalf("insert traces: %v", err)
	}
	return db
}

// matchIDs runs the rendered WHERE and returns the matching row_ids.
func matchIDs(db *sql.DB, src *schema.Source, where string, args []any) ([]int, error) {
	rows, err := db.Query("SELECT row_id FROM "+src.Table.Name+" WHERE "+where+" ORDER BY row_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

type execCase struct {
	src   *schema.Source
	sql   bool // SQL mode instead of the search language
	query string
	want  []int
}

var (
	logs   = &schema.LogsSource
	traces = &schema.TracesSource
)

var execCases = []execCase{
	// Bare words: whole tokens, case-insensitive.
	{logs, false, `payment`, []int{2}},
	{logs, false, `PAYMENT`, []int{2}},
	{logs, false, `payments`, []int{5, 6}}, // payments_v2: '_' separates tokens
	{logs, false, `pay`, nil},
	{logs, false, `user`, []int{1, 5}},
	{logs, false, `payments_v2`, []int{5}},
	{logs, false, `v2`, []int{5}},
	{logs, false, `api/v1`, []int{3}},
	{logs, false, `über`, []int{6}},
	{logs, false, `card declined`, []int{2}},
	{logs, false, `card missing`, nil},
	{logs, false, `"card declined"`, []int{2}},
	{logs, false, `"CARD DECL"`, []int{2}},
	{logs, false, `"100%"`, []int{6}},
	{logs, false, `pay*`, []int{2, 5, 6}},
	{logs, false, `*ment`, []int{2}},
	{logs, false, `p*c`, []int{4}},
	{logs, false, `*`, []int{1, 2, 3, 4, 5, 6}},
	{logs, false, `  `, []int{1, 2, 3, 4, 5, 6}},
	// Boolean structure.
	{logs, false, `payment OR cache`, []int{2, 5}},
	{logs, false, `payment OR cache AND miss`, []int{2, 5}},
	{logs, false, `(payment OR cache) AND miss`, []int{5}},
	{logs, false, `NOT payment`, []int{1, 3, 4, 5, 6}},
	{logs, false, `-payment`, []int{1, 3, 4, 5, 6}},
	{logs, false, `service:checkout -request`, []int{1}},
	{logs, false, `NOT NOT payment`, []int{2}},
	{logs, false, `and`, nil}, // lowercase keyword is a word
	// Fields.
	{logs, false, `service:check`, []int{1, 3}},
	{logs, false, `service:"check"`, nil},
	{logs, false, `service:"checkout"`, []int{1, 3}},
	{logs, false, `ServiceName:checkout`, []int{1, 3}},
	{logs, false, `servicename:checkout`, []int{1, 3}},
	{logs, false, `level:error`, []int{2}},
	{logs, false, `level:"Error"`, []int{2}},
	{logs, false, `severity:WARN`, []int{3}},
	{logs, false, `SeverityText:error`, []int{2}},
	{logs, false, `status:error`, []int{2, 4}},
	{logs, false, `-status:error`, []int{1, 3, 5, 6}},
	{logs, false, `SeverityNumber:>=17`, []int{2, 4}},
	{logs, false, `SeverityNumber:[5 TO 13}`, []int{1, 5}},
	{logs, false, `body:declined`, []int{2}},
	{logs, false, `message:"Payment failed: card declined"`, []int{2}},
	{logs, false, `trace_id:aaaa`, []int{1}},
	{logs, false, `TraceId:*`, []int{1, 2}},
	{logs, false, `-TraceId:*`, []int{3, 4, 5, 6}},
	{logs, false, `SeverityText:*`, []int{1, 2, 3, 4, 5}},
	// Attributes.
	{logs, false, `LogAttributes.userEmail:Braulio*`, []int{1}},
	{logs, false, `LogAttributes.userEmail:*example.com`, []int{1, 2}},
	{logs, false, `userEmail:*`, []int{1, 2, 5}},
	{logs, false, `userEmail:resource*`, []int{5}},
	{logs, false, `userEmail:a*e@*.com`, []int{2}},
	{logs, false, `userEmail:alice@example.com`, []int{2}},
	{logs, false, `-userEmail:alice@example.com`, []int{1, 3, 4, 5, 6}},
	{logs, false, `http.method:GET`, []int{1, 3}},
	{logs, false, `http.target:/api/v1`, []int{1}},
	{logs, false, `ResourceAttributes.k8s.pod.name:payment`, []int{2}},
	{logs, false, `resourceattributes.k8s.pod.name:payment`, []int{2}},
	{logs, false, `ScopeAttributes.lib:"net/http"`, []int{3}},
	{logs, false, `service.name:checkout`, []int{1}},
	{logs, false, `LogAttributes.latency:>200`, []int{2}},
	{logs, false, `latency:<=120`, []int{1}},
	{logs, false, `latency:[100 TO 450]`, []int{1, 2}},
	{logs, false, `latency:{120 TO 450}`, nil},
	{logs, false, `latency:[120 TO *]`, []int{1, 2}},
	{logs, false, `-latency:>200`, []int{1, 3, 4, 5, 6}},
	{logs, false, `user_name:"O'Brien"`, []int{4}},
	{logs, false, `path:50%`, []int{4}},
	{logs, false, `path:0%_`, []int{4}},
	{logs, false, `path:0_`, nil},
	{logs, false, `percent:"100%"`, []int{6}},
	{logs, false, `card_type:(visa OR amex)`, []int{2}},
	{logs, false, `http.method:(GET -POST)`, []int{1, 3}},
	{logs, false, `Timestamp:>=2024-01-03`, []int{4, 5, 6}},
	{logs, false, `Timestamp:[2024-01-01T10:30:00Z TO 2024-01-02T10:00:00Z]`, []int{2, 3}},
	{logs, false, `with\ space:*`, nil},
	{logs, false, `\*`, nil},
	// Traces.
	{traces, false, `payment`, []int{2, 5}},
	{traces, false, `get`, []int{1, 4}},
	{traces, false, `duration:>100`, []int{1, 2}},
	{traces, false, `duration:>=100`, []int{1, 2, 4}},
	{traces, false, `duration:>50.4`, []int{1, 2, 4, 5}},
	{traces, false, `duration:>50.6`, []int{1, 2, 4}},
	{traces, false, `duration:[5 TO 100]`, []int{3, 4, 5}},
	{traces, false, `duration:100`, []int{4}},
	{traces, false, `Duration:>1000000000`, []int{2}},
	{traces, false, `Duration:>-5`, []int{1, 2, 3, 4, 5}},
	{traces, false, `status:error`, []int{2, 5}},
	{traces, false, `status:ERROR`, []int{2, 5}},
	{traces, false, `status:"ok"`, []int{1}},
	{traces, false, `StatusCode:Error`, []int{2, 5}},
	{traces, false, `-status:error`, []int{1, 3, 4}},
	{traces, false, `kind:server`, []int{1, 2}},
	{traces, false, `SpanKind:Client`, []int{3, 4}},
	{traces, false, `name:"db.query"`, []int{3}},
	{traces, false, `span_name:api`, []int{1, 2}},
	{traces, false, `SpanAttributes.app.payment.card_type:visa`, []int{1}},
	{traces, false, `app.payment.card_type:*card`, []int{2}},
	{traces, false, `http.status_code:>=500`, []int{2}},
	{traces, false, `http.status_code:[200 TO 299]`, []int{1}},
	{traces, false, `http.method:GET`, []int{1, 4}},
	{traces, false, `http.method:resource*`, []int{5}},
	{traces, false, `SpanAttributes.http.method:*`, []int{1, 2, 4}},
	{traces, false, `-SpanAttributes.http.method:*`, []int{3, 5}},
	{traces, false, `SpanAttributes:*`, []int{1, 2, 3, 4}},
	{traces, false, `service:payment status:error duration:>1000`, []int{2}},
	{traces, false, `ServiceName: payment AND service:  payment`, []int{2, 3, 5}}, // seed 001 types a space after the colon
	{traces, false, `service:payment AND (status:error OR kind:client)`, []int{2, 3, 5}},
	{traces, false, `trace_id:"t2" span_id:s3`, []int{3}},
	// SQL mode.
	{logs, true, `ServiceName = 'checkout'`, []int{1, 3}},
	{logs, true, `ServiceName != 'checkout' AND SeverityNumber >= 17`, []int{2, 4}},
	{logs, true, `ServiceName <> 'checkout' AND NOT SeverityNumber < 17`, []int{2, 4}},
	{logs, true, `ServiceName IN ('payment', 'frontend') AND SeverityText NOT IN ('DEBUG', '')`, []int{2, 4}},
	{logs, true, `Body LIKE '%card%'`, []int{2}},
	{logs, true, `Body ILIKE 'PAYMENT%'`, []int{2, 6}},
	{logs, true, `Body NOT ILIKE '%payment%'`, []int{1, 3, 4}},
	{logs, true, `LogAttributes['path'] LIKE '50\%\_%'`, []int{4}},
	{logs, true, `LogAttributes['userEmail'] = 'alice@example.com'`, []int{2}},
	{logs, true, `LogAttributes['userEmail'] IS NULL`, []int{3, 4, 5, 6}},
	{logs, true, `LogAttributes['userEmail'] IS NOT NULL`, []int{1, 2}},
	{logs, true, `LogAttributes['latency'] > 200`, []int{2}},
	{logs, true, `LogAttributes['latency'] BETWEEN 100 AND 200`, []int{1}},
	{logs, true, `LogAttributes['latency'] NOT BETWEEN 100 AND 200`, []int{2, 3, 4, 5, 6}},
	{logs, true, `mapContains(LogAttributes, 'card_type') OR has(ResourceAttributes, 'service.name')`, []int{1, 2}},
	{logs, true, `lower(SeverityText) = 'error' OR upper(SeverityText) = 'WARN'`, []int{2, 3}},
	{logs, true, `length(SeverityText) = 4`, []int{1, 3}},
	{logs, true, `toString(SeverityNumber) = '17'`, []int{2}},
	{logs, true, `CAST(LogAttributes['latency'] AS Float64) >= 450`, []int{2}},
	{logs, true, `toFloat64OrNull(LogAttributes['latency']) < 200`, []int{1}},
	{logs, true, `startsWith(Body, 'Payment') OR endsWith(Body, 'range')`, []int{2, 4}},
	{logs, true, `match(Body, '^[A-Z]')`, []int{1, 2, 3}},
	{logs, true, `hasTokenCaseInsensitive(Body, 'payment')`, []int{2}},
	{logs, true, `(ServiceName = 'checkout' OR ServiceName = 'payment') AND SeverityNumber > 10`, []int{2, 3}},
	{logs, true, `Timestamp >= '2024-01-03'`, []int{4, 5, 6}},
	{logs, true, `'checkout' = ServiceName`, []int{1, 3}},
	{logs, true, `17 <= SeverityNumber`, []int{2, 4}},
	{logs, true, `SeverityNumber = 17.0`, []int{2}},
	{logs, true, `SeverityNumber > 16.5`, []int{2, 4}},
	{logs, true, `userEmail = 'resource@example.com'`, []int{5}},
	{logs, true, `"ServiceName" = 'frontend'`, []int{4, 5}},
	{logs, true, `TRUE`, []int{1, 2, 3, 4, 5, 6}},
	{logs, true, `NOT (ServiceName = 'checkout')`, []int{2, 4, 5, 6}},
	{traces, true, `duration > 100`, []int{1, 2}},
	{traces, true, `Duration > 100000000 AND StatusCode = 'Error'`, []int{2}},
	{traces, true, `status = 'error'`, []int{2, 5}},
	{traces, true, `SpanAttributes['http.status_code'] >= 500`, []int{2}},
	{traces, true, `SpanAttributes['http.status_code'] IN (200, 500)`, []int{1, 2}},
}

func TestExecuteDuckDB(t *testing.T) {
	db := openTestDB(t)
	for _, c := range execCases {
		name := c.src.Name + ":" + c.query
		parse := Parse
		if c.sql {
			parse = ParseSQL
			name = "sql:" + name
		}
		n, err := parse(c.query)
		if err != nil {
			t.Errorf("%s: parse: %v", name, err)
			continue
		}
		where, args, err := Compile(n, c.src, DuckDB)
		if err != nil {
			t.Errorf("%s: compile: %v", name, err)
			continue
		}
		got, err := matchIDs(db, c.src, where, args)
		if err != nil {
			t.Errorf("%s: execute %s %v: %v", name, where, args, err)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got rows %v, want %v\n  sql: %s\n  args: %q", name, got, c.want, where, args)
		}
	}
}
