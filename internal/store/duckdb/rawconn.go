package duckdb

import (
	"errors"
	"fmt"

	bindings "github.com/duckdb/duckdb-go-bindings"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// rawConn is a C-API connection to the database that the Store opened
// through duckdb-go (the same instance, found in duckdb-go's instance
// cache). The writers need it: their appenders take data chunks filled by
// chunk.go, which duckdb-go's Appender cannot. Not safe for concurrent use.
type rawConn struct {
	db   bindings.Database
	conn bindings.Connection
}

// openRaw connects to the database at path, which must already be open
// through duckdb.NewConnector (same path string, same duckdb_api option,
// so the instance cache hands out the same instance).
func openRaw(path string) (*rawConn, error) {
	var cfg bindings.Config
	if bindings.CreateConfig(&cfg) == bindings.StateError {
		return nil, errors.New("create duckdb config")
	}
	defer bindings.DestroyConfig(&cfg)
	if bindings.SetConfig(cfg, "duckdb_api", "go") == bindings.StateError {
		return nil, errors.New("set duckdb_api")
	}
	c := &rawConn{}
	var msg string
	if bindings.GetOrCreateFromCache(duckdb.GetInstanceCache(), path, &c.db, cfg, &msg) == bindings.StateError {
		bindings.Close(&c.db)
		return nil, fmt.Errorf("open %s: %s", path, msg)
	}
	if bindings.Connect(c.db, &c.conn) == bindings.StateError {
		bindings.Close(&c.db)
		return nil, fmt.Errorf("connect %s", path)
	}
	return c, nil
}

func (c *rawConn) exec(q string) error {
	var res bindings.Result
	st := bindings.Query(c.conn, q, &res)
	defer bindings.DestroyResult(&res)
	if st == bindings.StateError {
		return errors.New(bindings.ResultError(&res))
	}
	return nil
}

// appender creates an appender for every column of table.
func (c *rawConn) appender(table string) (bindings.Appender, error) {
	var a bindings.Appender
	if bindings.AppenderCreateExt(c.conn, "", "", table, &a) == bindings.StateError {
		msg := bindings.AppenderError(a)
		bindings.AppenderDestroy(&a)
		return a, fmt.Errorf("create appender for %s: %s", table, msg)
	}
	return a, nil
}

func (c *rawConn) close() {
	bindings.Disconnect(&c.conn)
	bindings.Close(&c.db)
}
