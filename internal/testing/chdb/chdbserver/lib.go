package main

// The chDB C API (libchdb.so from the npm package @chdb/lib-linux-x64-gnu),
// loaded with dlopen so that the server builds without the 560 MB library
// and fails at start, with a clear message, when it is missing.

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

typedef struct { void *internal_data; } chdb_result;
typedef struct { void *internal_data; } *chdb_connection;

typedef chdb_connection *(*connect_fn)(int, char **);
typedef void (*close_fn)(chdb_connection *);
typedef chdb_result *(*query_params_fn)(chdb_connection, const char *, size_t, const char *, size_t,
	const char *const *, const size_t *, const char *const *, const size_t *, size_t);
typedef char *(*buffer_fn)(chdb_result *);
typedef size_t (*length_fn)(chdb_result *);
typedef const char *(*error_fn)(chdb_result *);
typedef void (*destroy_fn)(chdb_result *);
typedef unsigned long long (*u64_fn)(chdb_result *);

static connect_fn p_connect;
static close_fn p_close;
static query_params_fn p_query;
static buffer_fn p_buffer;
static length_fn p_length;
static error_fn p_error;
static destroy_fn p_destroy;
static u64_fn p_rows_written;

static const char *chdb_load(const char *path) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) return dlerror();
	p_connect = (connect_fn)dlsym(h, "chdb_connect");
	p_close = (close_fn)dlsym(h, "chdb_close_conn");
	p_query = (query_params_fn)dlsym(h, "chdb_query_with_params_n");
	p_buffer = (buffer_fn)dlsym(h, "chdb_result_buffer");
	p_length = (length_fn)dlsym(h, "chdb_result_length");
	p_error = (error_fn)dlsym(h, "chdb_result_error");
	p_destroy = (destroy_fn)dlsym(h, "chdb_destroy_query_result");
	p_rows_written = (u64_fn)dlsym(h, "chdb_result_rows_written");
	if (!p_connect || !p_close || !p_query || !p_buffer || !p_length || !p_error || !p_destroy)
		return "libchdb.so lacks chdb_connect/chdb_query_with_params_n (chDB older than 25.x?)";
	return NULL;
}

// chdb_open connects with the given arguments. chDB installs its own signal
// handlers on connect (SIGSEGV, SIGINT, SIGTERM, ...), replacing Go's, so
// every handler is saved before and restored after (DESIGN §3).
static chdb_connection *chdb_open(int argc, char **argv) {
	struct sigaction saved[65];
	for (int s = 1; s < 65; s++) sigaction(s, NULL, &saved[s]);
	chdb_connection *c = p_connect(argc, argv);
	for (int s = 1; s < 65; s++) {
		if (s == SIGKILL || s == SIGSTOP) continue;
		sigaction(s, &saved[s], NULL);
	}
	return c;
}

static void chdb_close(chdb_connection *c) { p_close(c); }

static chdb_result *chdb_run(chdb_connection *c, const char *q, size_t ql, const char *f, size_t fl,
	const char *const *names, const size_t *nl, const char *const *vals, const size_t *vl, size_t n) {
	return p_query(*c, q, ql, f, fl, names, nl, vals, vl, n);
}
static char *chdb_buf(chdb_result *r) { return p_buffer(r); }
static size_t chdb_len(chdb_result *r) { return p_length(r); }
static const char *chdb_err(chdb_result *r) { return p_error(r); }
static void chdb_free(chdb_result *r) { p_destroy(r); }
static unsigned long long chdb_written(chdb_result *r) { return p_rows_written ? p_rows_written(r) : 0; }
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// load dlopens libchdb.so at path.
func load(path string) error {
	cp := C.CString(path)
	defer C.free(unsafe.Pointer(cp))
	if msg := C.chdb_load(cp); msg != nil {
		return fmt.Errorf("load chDB from %s: %s", path, C.GoString(msg))
	}
	return nil
}

// conn is one chDB connection; it runs one query at a time (the caller
// serialises).
type conn struct{ c *C.chdb_connection }

// connect opens a connection on the process's one data path.
func connect(args []string) (*conn, error) {
	argv := make([]*C.char, len(args))
	for i, a := range args {
		argv[i] = C.CString(a)
		defer C.free(unsafe.Pointer(argv[i]))
	}
	c := C.chdb_open(C.int(len(args)), &argv[0])
	if c == nil {
		return nil, errors.New("chdb_connect failed (is another process using the data path?)")
	}
	return &conn{c: c}, nil
}

func (c *conn) close() { C.chdb_close(c.c) }

// result is a query's output, or its error.
type result struct {
	data    []byte
	written uint64
}

// query runs q with output format and named parameters (values bound by
// the engine, never spliced).
func (c *conn) query(q, format string, params map[string]string) (result, error) {
	n := len(params)
	mem := C.malloc(C.size_t(4*(n+1)) * 8)
	defer C.free(mem)
	names := unsafe.Slice((**C.char)(mem), n+1)
	nameLens := unsafe.Slice((*C.size_t)(unsafe.Add(mem, (n+1)*8)), n+1)
	vals := unsafe.Slice((**C.char)(unsafe.Add(mem, 2*(n+1)*8)), n+1)
	valLens := unsafe.Slice((*C.size_t)(unsafe.Add(mem, 3*(n+1)*8)), n+1)
	i := 0
	for k, v := range params {
		names[i], nameLens[i] = C.CString(k), C.size_t(len(k))
		vals[i], valLens[i] = (*C.char)(C.CBytes([]byte(v+"\x00"))), C.size_t(len(v))
		defer C.free(unsafe.Pointer(names[i]))
		defer C.free(unsafe.Pointer(vals[i]))
		i++
	}
	cq := C.CBytes([]byte(q))
	defer C.free(cq)
	cf := C.CString(format)
	defer C.free(unsafe.Pointer(cf))
	r := C.chdb_run(c.c, (*C.char)(cq), C.size_t(len(q)), cf, C.size_t(len(format)),
		&names[0], &nameLens[0], &vals[0], &valLens[0], C.size_t(n))
	if r == nil {
		return result{}, errors.New("chDB returned no result")
	}
	defer C.chdb_free(r)
	if e := C.chdb_err(r); e != nil {
		return result{}, errors.New(C.GoString(e))
	}
	out := result{written: uint64(C.chdb_written(r))}
	if l := C.chdb_len(r); l > 0 {
		out.data = C.GoBytes(unsafe.Pointer(C.chdb_buf(r)), C.int(l))
	}
	return out, nil
}
