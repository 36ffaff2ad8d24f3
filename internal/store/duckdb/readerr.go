package duckdb

import (
	"errors"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/overlook-dev/overlook/internal/store"
)

// userErrorTypes are DuckDB errors that a read statement only raises
// because of a value the caller wrote (a string compared as a number, a
// number out of its type's range): the caller's mistake, not the server's
// (issue 9, finding 8).
var userErrorTypes = map[duckdb.ErrorType]string{
	duckdb.ErrorTypeConversion:   "Conversion Error",
	duckdb.ErrorTypeOutOfRange:   "Out of Range Error",
	duckdb.ErrorTypeInvalidInput: "Invalid Input Error",
	duckdb.ErrorTypeBinder:       "Binder Error",
}

// readErr wraps err with store.ErrInvalidArgument when DuckDB refused the
// statement because of a value in the query, so the API answers 400 with
// the engine's message instead of 500. Errors of the C-API reader
// (rawread.go) carry only the message, which starts with the type's name.
func readErr(err error) error {
	if err == nil || errors.Is(err, store.ErrInvalidArgument) {
		return err
	}
	var de *duckdb.Error
	if errors.As(err, &de) {
		if _, ok := userErrorTypes[de.Type]; ok {
			return fmt.Errorf("%w: the query cannot be evaluated on the stored data: %w", store.ErrInvalidArgument, err)
		}
		return err
	}
	msg := err.Error()
	for _, prefix := range userErrorTypes {
		if strings.Contains(msg, prefix+":") {
			return fmt.Errorf("%w: the query cannot be evaluated on the stored data: %w", store.ErrInvalidArgument, err)
		}
	}
	return err
}
