package query

import "fmt"

// SyntaxError is a parse error. Pos is the 0-based byte offset in the input.
type SyntaxError struct {
	Pos int
	Msg string
}

// Error implements error: "at position N: msg".
func (e *SyntaxError) Error() string { return fmt.Sprintf("at position %d: %s", e.Pos, e.Msg) }

// FieldError reports a field that cannot be resolved against the source, or a
// value that does not fit the field's type. Msg names the field and, for an
// unknown field, suggests valid ones.
type FieldError struct {
	Field string
	Pos   int
	Msg   string
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("at position %d: %s", e.Pos, e.Msg) }

// TypeError reports an expression whose types do not fit (SQL mode:
// `length(Body) = 'x'`, a non-boolean WHERE, a function called with the
// wrong arguments).
type TypeError struct {
	Pos int
	Msg string
}

// Error implements error.
func (e *TypeError) Error() string { return fmt.Sprintf("at position %d: %s", e.Pos, e.Msg) }

func synErr(pos int, format string, a ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, a...)}
}
