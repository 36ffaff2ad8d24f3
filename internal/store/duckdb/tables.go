package duckdb

import (
	"github.com/overlook-dev/overlook/internal/schema"
)

// Table indexes, used by the converters and the writers.
const (
	tblLogs = iota
	tblTraces
	tblTraceIDTs
	tblGauge
	tblSum
	tblHistogram
	tblExpHistogram
	tblSummary
	numTables
)

// tableList maps table indexes to the schema.
var tableList = [numTables]*schema.Table{
	tblLogs:         &schema.Logs,
	tblTraces:       &schema.Traces,
	tblTraceIDTs:    &schema.TraceIDTs,
	tblGauge:        &schema.MetricsGauge,
	tblSum:          &schema.MetricsSum,
	tblHistogram:    &schema.MetricsHistogram,
	tblExpHistogram: &schema.MetricsExpHistogram,
	tblSummary:      &schema.MetricsSummary,
}
