package storeexporter

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// TestRefusalCarriesRetryHint checks what the OTLP receiver sees for each
// store refusal: Unavailable (HTTP 503), a RetryInfo it turns into
// Retry-After, the store's message, and the store error still matchable.
func TestRefusalCarriesRetryHint(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		wantDelay time.Duration // 0: no RetryInfo
	}{
		{"overloaded", fmt.Errorf("insert logs: %w", store.ErrOverloaded), retryOverloaded},
		{"unavailable", fmt.Errorf("insert logs: %w: disk full", store.ErrUnavailable), retryUnavailable},
		{"other", errors.New("boom"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := refusal("logs", tc.err)
			if !errors.Is(err, tc.err) {
				t.Errorf("refusal does not unwrap to the store's error: %v", err)
			}
			// The collector may wrap it on the way to the receiver.
			st, ok := status.FromError(fmt.Errorf("exporter: %w", err))
			if tc.wantDelay == 0 {
				if ok {
					t.Errorf("plain error became a status %v", st)
				}
				return
			}
			if !ok || st.Code() != codes.Unavailable {
				t.Fatalf("status = %v (ok %v), want Unavailable", st, ok)
			}
			var delay time.Duration
			for _, d := range st.Details() {
				if ri, ok := d.(*errdetails.RetryInfo); ok {
					delay = ri.GetRetryDelay().AsDuration()
				}
			}
			if delay != tc.wantDelay {
				t.Errorf("retry delay = %s, want %s", delay, tc.wantDelay)
			}
		})
	}
}

func TestLogsTableName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"", true}, {"otel_logs", true}, {"hyperdx_sessions", true}, {"otel_logs_v2", false}} {
		err := (&Config{LogsTableName: tc.name}).Validate()
		if (err == nil) != tc.ok {
			t.Errorf("logs_table_name %q: err %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "use otel_logs") {
			t.Errorf("message does not say the fix: %v", err)
		}
	}
}

// TestInvalidArgumentIsPermanent: a store that can never take the data
// (a read_only ClickHouse store) makes the export fail permanently with
// InvalidArgument (HTTP 400), not a retryable refusal.
func TestInvalidArgumentIsPermanent(t *testing.T) {
	e := &storeExporter{metrics: telemetry.New()}
	err := e.failed("logs", fmt.Errorf("%w: the store is read_only", store.ErrInvalidArgument))
	if !consumererror.IsPermanent(err) {
		t.Fatalf("not permanent: %v", err)
	}
	if st, ok := status.FromError(errors.Unwrap(err)); !ok || st.Code() != codes.InvalidArgument {
		t.Fatalf("status %v (ok %v), want InvalidArgument", st, ok)
	}
	if err := e.failed("logs", fmt.Errorf("x: %w", store.ErrUnavailable)); consumererror.IsPermanent(err) {
		t.Fatalf("unavailable became permanent: %v", err)
	}
}
