package storeexporter

import (
	"github.com/overlook-dev/overlook/internal/ingest/limits"
)

// limitsFor is the ingest limits with tenant's max_attributes applied: the
// lower of it and ingest::max_attributes.
func (e *storeExporter) limitsFor(tenant string) limits.Limits {
	lim := e.limits
	if m := e.limiter.Limits(tenant).MaxAttributes; m > 0 && (lim.MaxAttributes == 0 || m < lim.MaxAttributes) {
		lim.MaxAttributes = m
	}
	return lim
}
