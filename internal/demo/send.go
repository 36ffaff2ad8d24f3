package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// The sender is an OTLP/gRPC exporter to overlook's own receiver, so the
// demo's data takes the path any application's does (receiver, guard,
// memory_limiter, store exporter). A refused export (Unavailable,
// ResourceExhausted: the store or the memory limiter pushing back, or the
// receiver not listening yet) is retried with exponential backoff until
// it is accepted or the demo stops: nothing is dropped.

const (
	exportTimeout = 30 * time.Second
	backoffMin    = 100 * time.Millisecond
	backoffMax    = 5 * time.Second
)

type sender struct {
	conn    *grpc.ClientConn
	traces  ptraceotlp.GRPCClient
	logs    plogotlp.GRPCClient
	metrics pmetricotlp.GRPCClient
	log     *slog.Logger
	// retries counts refused exports that were retried.
	retries atomic.Int64
}

func newSender(endpoint string, log *slog.Logger) (*sender, error) {
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("demo: OTLP/gRPC client for %s: %w", endpoint, err)
	}
	return &sender{conn: conn, traces: ptraceotlp.NewGRPCClient(conn), logs: plogotlp.NewGRPCClient(conn),
		metrics: pmetricotlp.NewGRPCClient(conn), log: log}, nil
}

func (s *sender) close() error { return s.conn.Close() }

// send exports every signal of b, retrying refusals.
func (s *sender) send(ctx context.Context, b batch) error {
	if n := b.traces.SpanCount(); n > 0 {
		req := ptraceotlp.NewExportRequestFromTraces(b.traces)
		if err := s.retry(ctx, "traces", func(ctx context.Context) (int64, string, error) {
			r, err := s.traces.Export(ctx, req)
			if err != nil {
				return 0, "", err
			}
			return r.PartialSuccess().RejectedSpans(), r.PartialSuccess().ErrorMessage(), nil
		}); err != nil {
			return err
		}
	}
	if n := b.logs.LogRecordCount(); n > 0 {
		req := plogotlp.NewExportRequestFromLogs(b.logs)
		if err := s.retry(ctx, "logs", func(ctx context.Context) (int64, string, error) {
			r, err := s.logs.Export(ctx, req)
			if err != nil {
				return 0, "", err
			}
			return r.PartialSuccess().RejectedLogRecords(), r.PartialSuccess().ErrorMessage(), nil
		}); err != nil {
			return err
		}
	}
	if n := b.metrics.DataPointCount(); n > 0 {
		req := pmetricotlp.NewExportRequestFromMetrics(b.metrics)
		if err := s.retry(ctx, "metrics", func(ctx context.Context) (int64, string, error) {
			r, err := s.metrics.Export(ctx, req)
			if err != nil {
				return 0, "", err
			}
			return r.PartialSuccess().RejectedDataPoints(), r.PartialSuccess().ErrorMessage(), nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// retry runs export until it is accepted, backing off while it is refused.
// A permanent error, or rows the server rejected in an accepted export
// (OTLP partial success), is an error: the generated data is valid, so
// either means the server's limits are set below what the demo sends.
func (s *sender) retry(ctx context.Context, signal string, export func(context.Context) (int64, string, error)) error {
	wait, attempt := backoffMin, 0
	for {
		ectx, cancel := context.WithTimeout(ctx, exportTimeout)
		rejected, msg, err := export(ectx)
		cancel()
		if err == nil {
			if rejected > 0 {
				return fmt.Errorf("demo: the server rejected %d %s items: %s (raise the limit it names, docs/limits.md)", rejected, signal, msg)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		hint, ok := retryable(err)
		if !ok {
			return fmt.Errorf("demo: export %s: %w", signal, err)
		}
		s.retries.Add(1)
		d := max(wait, hint)
		if attempt++; attempt%10 == 0 {
			s.log.Warn("demo: the server keeps refusing an export; still retrying", "signal", signal, "attempts", attempt, "err", err)
		} else {
			s.log.Debug("demo: export refused, retrying", "signal", signal, "in", d, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
		wait = min(2*wait, backoffMax)
	}
}

// retryable reports whether err is a refusal to retry, and the delay the
// server asked for (gRPC RetryInfo), if any.
func retryable(err error) (time.Duration, bool) {
	if errors.Is(err, context.DeadlineExceeded) {
		return 0, true
	}
	st, ok := status.FromError(err)
	if !ok {
		return 0, false
	}
	var hint time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			hint = ri.GetRetryDelay().AsDuration()
		}
	}
	switch st.Code() {
	case codes.ResourceExhausted:
		// A message over the receiver's size limit never fits.
		if strings.Contains(st.Message(), "larger than max") {
			return 0, false
		}
		return min(hint, backoffMax), true
	case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted:
		return min(hint, backoffMax), true
	}
	return 0, false
}
