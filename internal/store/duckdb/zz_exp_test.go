package duckdb

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestZZOr(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t AS SELECT repeat('Abc def ', 1250000) AS b FROM range(1)"); err != nil {
		t.Fatal(err)
	}
	var parts []string
	var args []any
	var res []string
	for i := 0; i < 300; i++ {
		w := fmt.Sprintf("word%d", i)
		parts = append(parts, "(contains(lower(b), ?) AND regexp_matches(b, ?))")
		args = append(args, w, "(?i)(?:^|[^0-9A-Za-z])"+w+"(?:$|[^0-9A-Za-z])")
		res = append(res, "(?:^|[^0-9A-Za-z])"+w+"(?:$|[^0-9A-Za-z])")
	}
	q := "SELECT count(*) FROM t WHERE " + strings.Join(parts, " OR ")
	if os.Getenv("ZNEW") != "" {
		q = "SELECT count(*) FROM t WHERE regexp_matches(b, ?)"
		args = []any{"(?i)(?:" + strings.Join(res, "|") + ")"}
		if os.Getenv("ZNEW") == "2" {
			var ws []string
			for i := 0; i < 300; i++ {
				ws = append(ws, fmt.Sprintf("word%d", i))
			}
			args = []any{`(?i)(?:^|[^0-9A-Za-z\x{80}-\x{10FFFF}])(?:` + strings.Join(ws, "|") + `)(?:$|[^0-9A-Za-z\x{80}-\x{10FFFF}])`}
		}
		if os.Getenv("ZNEW") == "3" {
			var ws []string
			for i := 0; i < 300; i++ {
				ws = append(ws, fmt.Sprintf("'word%d'", i))
			}
			q = `SELECT count(*) FROM t WHERE list_has_any(string_split_regex(lower(b), '[^0-9a-z\x{80}-\x{10FFFF}]+'), [` + strings.Join(ws, ",") + `])`
			args = nil
		}
	}
	st := time.Now()
	var n int
	err = db.QueryRow(q, args...).Scan(&n)
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM") {
			t.Log(l)
		}
	}
	t.Logf("%v %v %d", time.Since(st), err, n)
}
