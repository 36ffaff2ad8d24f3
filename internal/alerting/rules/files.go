package rules

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// maxFileErrors bounds the errors reported per rule file.
const maxFileErrors = 10

// Files is a snapshot of rule files: the paths the globs matched, in
// order, and their contents as read and validated. The engine evaluates a
// snapshot, so a file changed on disk takes effect only at a reload.
type Files struct {
	Paths   []string
	content map[string][]byte
}

// Empty reports whether no rule file matched.
func (f *Files) Empty() bool { return f == nil || len(f.Paths) == 0 }

// LoadFiles expands the globs, reads every file and validates it as
// Prometheus does (rulefmt: YAML, group and rule fields, PromQL
// expressions, templates). The error names each file and, per problem,
// the line:column, group, rule index and rule name.
func LoadFiles(globs []string, p parser.Parser, logger *slog.Logger) (*Files, error) {
	f := &Files{content: map[string][]byte{}}
	var errs []error
	for _, g := range globs {
		matches, err := filepath.Glob(g)
		if err != nil {
			errs = append(errs, fmt.Errorf("rule_files pattern %q: %w", g, err))
			continue
		}
		slices.Sort(matches)
		for _, m := range matches {
			if _, dup := f.content[m]; dup {
				continue
			}
			b, err := os.ReadFile(m)
			if err != nil {
				errs = append(errs, fmt.Errorf("read rule file: %w", err))
				continue
			}
			if ferrs := validate(b, p, logger); len(ferrs) > 0 {
				errs = append(errs, fileError(m, ferrs))
				continue
			}
			f.Paths = append(f.Paths, m)
			f.content[m] = b
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return f, nil
}

func validate(b []byte, p parser.Parser, logger *slog.Logger) []error {
	_, errs := rulefmt.Parse(b, false, model.UTF8Validation, p, logger)
	return errs
}

// fileError is one file's problems, one per line, each prefixed by the
// file name as "file:line:column: group ..., rule N, "name": problem".
func fileError(file string, errs []error) error {
	out := make([]error, 0, min(len(errs), maxFileErrors)+1)
	seen := map[string]bool{}
	for _, e := range errs {
		if seen[e.Error()] { // rulefmt reports a YAML error twice
			continue
		}
		seen[e.Error()] = true
		if len(out) == maxFileErrors {
			out = append(out, fmt.Errorf("rule file %s: ... and more problems", file))
			break
		}
		out = append(out, fmt.Errorf("rule file %s:%w", file, spaced{e}))
	}
	return errors.Join(out...)
}

// spaced prints an error after a space unless it starts with a position
// ("12:5: ..."), so that positions read file:12:5.
type spaced struct{ err error }

func (s spaced) Error() string {
	m := strings.TrimPrefix(s.err.Error(), "0:0: ") // no position known
	if len(m) > 0 && m[0] >= '0' && m[0] <= '9' {
		return m
	}
	return " " + m
}

func (s spaced) Unwrap() error { return s.err }

// CheckFiles validates the rule files the globs match, for `overlook
// config validate` and start-up.
func CheckFiles(globs []string, logger *slog.Logger) error {
	_, err := LoadFiles(globs, parser.NewParser(parser.Options{}), logger)
	return err
}

// LastGood keeps the last rule files that loaded, across engines of one
// process: a collector reload (SIGHUP) restarts the extension and with it
// the engine; if the files are broken then, the engine keeps evaluating
// the last good ones instead of stopping the server. The zero value is
// empty and ready to use.
type LastGood struct {
	mu    sync.Mutex
	files *Files
}

// NewLastGood returns an empty LastGood.
func NewLastGood() *LastGood { return &LastGood{} }

func (l *LastGood) get() *Files {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.files
}

func (l *LastGood) set(f *Files) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.files = f
}

// loader is the rules.GroupLoader serving the current snapshot.
type loader struct {
	parser parser.Parser
	logger *slog.Logger
	files  atomic.Pointer[Files]
}

func (l *loader) Load(identifier string, ignoreUnknownFields bool, scheme model.ValidationScheme) (*rulefmt.RuleGroups, []error) {
	var b []byte
	ok := false
	if f := l.files.Load(); f != nil {
		b, ok = f.content[identifier]
	}
	if !ok {
		return nil, []error{fmt.Errorf("BUG: rule file %s is not in the loaded snapshot", identifier)}
	}
	rgs, errs := rulefmt.Parse(b, ignoreUnknownFields, scheme, l.parser, l.logger)
	if len(errs) > 0 {
		return nil, []error{fileError(identifier, errs)}
	}
	return rgs, nil
}

func (l *loader) Parse(query string) (parser.Expr, error) { return l.parser.ParseExpr(query) }
