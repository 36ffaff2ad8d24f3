package promapi

import (
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
)

// QueryEngine is the API's PromQL engine; the rules engine evaluates with
// it so that rules and /api/v1/query give the same results.
func (h *Handler) QueryEngine() *promql.Engine { return h.engine }

// Parser is the API's PromQL parser.
func (h *Handler) Parser() parser.Parser { return h.parser }

// Queryable is what queries read: the store's series with target_info.
func (h *Handler) Queryable() storage.Queryable { return h.queryable }
