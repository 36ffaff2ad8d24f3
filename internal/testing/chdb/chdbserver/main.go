// Command chdbserver serves ClickHouse's HTTP interface over chDB
// (ClickHouse as a library, libchdb.so), so that tests run the real
// clickhouse-go client and the real ClickHouse SQL end to end without a
// ClickHouse server. Test-only: it is built and started by
// internal/testing/chdb.
//
// What it implements of the HTTP interface (what clickhouse-go's HTTP
// protocol uses): POST / with the query in the body, or in the `query`
// parameter with INSERT data in the body; `database`, `param_*` (bound by
// the engine), settings as parameters, `default_format`; errors as non-200
// with X-ClickHouse-Exception-Code; X-ClickHouse-User / -Key auth; GET
// /ping. INSERT data is written to a temporary file and inserted with
// FROM INFILE (chDB's inline INSERT data ends at a blank line, which
// binary Native data contains).
//
// One data path per process (a chDB rule), and one running query per chDB
// connection: requests take a connection from a pool.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	lib := flag.String("lib", "", "path of libchdb.so")
	path := flag.String("path", "", "data directory (one per process)")
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on")
	user := flag.String("user", "default", "user name clients must send")
	password := flag.String("password", "", "password clients must send")
	conns := flag.Int("conns", 4, "chDB connections (concurrent queries)")
	flag.Parse()
	if *lib == "" || *path == "" {
		log.Fatal("chdbserver: -lib and -path are required")
	}
	if err := load(*lib); err != nil {
		log.Fatalf("chdbserver: %v", err)
	}
	tmp := filepath.Join(*path, "tmp-inserts")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		log.Fatalf("chdbserver: %v", err)
	}
	s := &server{user: *user, password: *password, tmp: tmp, pool: make(chan *session, *conns),
		trace: os.Getenv("CHDBSERVER_TRACE") != ""}
	for i := 0; i < *conns; i++ {
		c, err := connect([]string{"chdbserver", "--path=" + *path})
		if err != nil {
			log.Fatalf("chdbserver: %v", err)
		}
		s.pool <- &session{conn: c, settings: map[string]string{}}
	}
	if err := s.hello(); err != nil {
		log.Fatalf("chdbserver: %v", err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("chdbserver: %v", err)
	}
	// The test helper reads this line to learn the address.
	fmt.Printf("listening on %s\n", ln.Addr())
	srv := &http.Server{Handler: s}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("chdbserver: %v", err)
	}
	for i := 0; i < *conns; i++ {
		(<-s.pool).conn.close()
	}
}

type server struct {
	user, password string
	tmp            string
	pool           chan *session
	helloBody      []byte
	seq            atomic.Int64
	trace          bool
}

// session is a chDB connection and the database and settings last set on
// it (requests set what differs).
type session struct {
	conn     *conn
	database string
	settings map[string]string
}

// Parameters of the HTTP interface that are not settings.
var notSettings = map[string]bool{
	"query": true, "database": true, "default_format": true, "client_protocol_version": true,
	"query_id": true, "quota_key": true, "compress": true, "decompress": true, "session_id": true,
	"session_timeout": true, "session_check": true, "user": true, "password": true,
	"wait_end_of_query": true, "buffer_size": true,
}

var insertFormat = regexp.MustCompile(`(?is)^\s*(INSERT\s+INTO\s+.+?)\s+FORMAT\s+(\w+)\s*$`)

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ping" {
		_, _ = io.WriteString(w, "Ok.\n")
		return
	}
	u, pw := r.Header.Get("X-ClickHouse-User"), r.Header.Get("X-ClickHouse-Key")
	if bu, bp, ok := r.BasicAuth(); ok {
		u, pw = bu, bp
	}
	if u == "" {
		u = "default"
	}
	if u != s.user || pw != s.password {
		s.fail(w, fmt.Errorf("Code: 516. DB::Exception: %s: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)", u))
		return
	}
	q := r.URL.Query()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	text, data := q.Get("query"), []byte(nil)
	if text == "" {
		text = string(body)
	} else {
		data = body
	}
	if strings.TrimSpace(text) == "SELECT displayName(), version(), revision(), timezone()" {
		_, _ = w.Write(s.helloBody)
		return
	}
	params := map[string]string{}
	settings := map[string]string{}
	for k, v := range q {
		switch {
		case strings.HasPrefix(k, "param_"):
			params[strings.TrimPrefix(k, "param_")] = v[0]
		case !notSettings[k]:
			settings[k] = v[0]
		}
	}
	format := q.Get("default_format")
	if format == "" {
		format = "TabSeparated"
	}
	if len(data) > 0 {
		m := insertFormat.FindStringSubmatch(text)
		if m == nil {
			s.fail(w, errors.New("Code: 62. DB::Exception: chdbserver: data in the body needs `INSERT INTO t [(cols)] FORMAT F` in the query parameter. (SYNTAX_ERROR)"))
			return
		}
		file := filepath.Join(s.tmp, fmt.Sprintf("insert-%d", s.seq.Add(1)))
		if err := os.WriteFile(file, data, 0o600); err != nil {
			s.fail(w, err)
			return
		}
		defer os.Remove(file)
		text = fmt.Sprintf("%s FROM INFILE '%s' FORMAT %s", m[1], file, m[2])
	}
	t0 := time.Now()
	sess := <-s.pool
	t1 := time.Now()
	res, err := sess.run(q.Get("database"), settings, text, format, params)
	s.pool <- sess
	if s.trace {
		log.Printf("wait %v run %v body %d: %.80q", t1.Sub(t0), time.Since(t1), len(data), text)
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("X-ClickHouse-Format", format)
	w.Header().Set("X-ClickHouse-Summary", fmt.Sprintf(`{"written_rows":"%d"}`, res.written))
	_, _ = w.Write(res.data)
}

// run applies the request's database and settings to the session, then runs
// the query.
func (s *session) run(database string, settings map[string]string, text, format string, params map[string]string) (result, error) {
	if database == "" {
		database = "default"
	}
	if database != s.database {
		if _, err := s.conn.query("USE "+quoteIdent(database), "TabSeparated", nil); err != nil {
			return result{}, err
		}
		s.database = database
	}
	// Settings of an earlier request that this one does not send go back
	// to their defaults: a request sees only its own settings.
	for k := range s.settings {
		if _, ok := settings[k]; !ok {
			if _, err := s.conn.query(fmt.Sprintf("SET %s = DEFAULT", quoteIdent(k)), "TabSeparated", nil); err != nil {
				return result{}, err
			}
			delete(s.settings, k)
		}
	}
	for k, v := range settings {
		if s.settings[k] == v {
			continue
		}
		if _, err := s.conn.query(fmt.Sprintf("SET %s = %s", quoteIdent(k), quoteValue(v)), "TabSeparated", nil); err != nil {
			return result{}, err
		}
		s.settings[k] = v
	}
	return s.conn.query(text, format, params)
}

func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// quoteValue writes a setting's value: numbers as they are, the rest as a
// string literal.
func quoteValue(v string) string {
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

var codeRe = regexp.MustCompile(`Code: (\d+)\.`)

// fail answers a ClickHouse exception the way the server does: the status
// from the code, the code in X-ClickHouse-Exception-Code, the message in
// the body.
func (s *server) fail(w http.ResponseWriter, err error) {
	msg := err.Error()
	code := "1000"
	if m := codeRe.FindStringSubmatch(msg); m != nil {
		code = m[1]
	}
	status := http.StatusInternalServerError
	switch code {
	case "516", "192", "193", "194", "195":
		status = http.StatusForbidden
	case "81", "60", "47":
		status = http.StatusNotFound
	case "62", "27", "36", "38", "41", "42", "43", "44", "57", "115":
		status = http.StatusBadRequest
	}
	w.Header().Set("X-ClickHouse-Exception-Code", code)
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(status)
	if !strings.HasPrefix(msg, "Code:") {
		msg = "Code: " + code + ". DB::Exception: " + msg
	}
	_, _ = io.WriteString(w, strings.TrimRight(msg, "\n")+"\n")
}

// hello prepares the answer to clickhouse-go's handshake query. The client
// decodes it with its own protocol revision and decodes every later answer
// with the revision it names; chDB writes Native without the revision's
// block header, so the handshake names revision 0.
func (s *server) hello() error {
	sess := <-s.pool
	defer func() { s.pool <- sess }()
	res, err := sess.conn.query("SELECT version(), timezone()", "TabSeparated", nil)
	if err != nil {
		return fmt.Errorf("query the chDB version: %w", err)
	}
	f := strings.Split(strings.TrimSpace(string(res.data)), "\t")
	if len(f) != 2 {
		return fmt.Errorf("unexpected version answer %q", res.data)
	}
	var b bytes.Buffer
	encodeHello(&b, f[0], f[1])
	s.helloBody = b.Bytes()
	return nil
}
