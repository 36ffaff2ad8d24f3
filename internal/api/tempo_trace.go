package api

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// tempoTraceID normalises a Tempo trace ID: hex, up to 32 digits, left
// padded with zeros as Tempo does.
func tempoTraceID(id string) (string, error) {
	if id == "" || len(id) > 32 {
		return "", fmt.Errorf("invalid trace ID %q: use 1 to 32 hex digits", id)
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", fmt.Errorf("invalid trace ID %q: use 1 to 32 hex digits", id)
		}
	}
	return strings.Repeat("0", 32-len(id)) + strings.ToLower(id), nil
}

// wantsProtobuf reports whether the client asks for protobuf (Grafana's
// Tempo data source sends Accept: application/protobuf).
func wantsProtobuf(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/protobuf")
}

// handleTempoTrace is GET /tempo/api/traces/{id} (v1: a Trace, JSON
// {"batches": [ResourceSpans]}) and /tempo/api/v2/traces/{id} (v2: a
// TraceByIDResponse, JSON {"trace": {"resourceSpans": [...]}}); with
// Accept: application/protobuf the same messages in protobuf (a Trace is
// wire-identical to OTLP's TracesData).
func (s *Server) handleTempoTrace(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := tempoTraceID(r.PathValue("traceId"))
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
		defer cancel()
		rows, err := s.opts.Store.Trace(ctx, id)
		if err != nil {
			s.tempoFailed(w, r, "trace lookup", err)
			return
		}
		if len(rows) == 0 {
			writeError(w, http.StatusNotFound, "trace "+id+" not found: it may not have arrived yet or is older than the traces retention")
			return
		}
		td := rowsToTraces(rows)
		if wantsProtobuf(r) {
			b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
			if err != nil {
				s.tempoFailed(w, r, "trace encoding", err)
				return
			}
			if v2 {
				// TraceByIDResponse: field 1 (wire type 2, bytes) is the Trace.
				b = append(binary.AppendUvarint([]byte{1<<3 | 2}, uint64(len(b))), b...)
			}
			w.Header().Set("Content-Type", "application/protobuf")
			_, _ = w.Write(b)
			return
		}
		b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		if err != nil {
			s.tempoFailed(w, r, "trace encoding", err)
			return
		}
		var doc struct {
			ResourceSpans json.RawMessage `json:"resourceSpans"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			s.tempoFailed(w, r, "trace encoding", err)
			return
		}
		if v2 {
			writeJSON(w, http.StatusOK, map[string]any{"trace": map[string]json.RawMessage{"resourceSpans": doc.ResourceSpans}})
			return
		}
		writeJSON(w, http.StatusOK, map[string]json.RawMessage{"batches": doc.ResourceSpans})
	}
}
