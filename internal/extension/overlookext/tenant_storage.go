package overlookext

import (
	"fmt"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/budget"
	"github.com/overlook-dev/overlook/internal/tenancy"
)

// TenantDatabase is the ClickHouse database of a tenant other than the
// default: <database>_<name>, the name encoded so that it stays a plain
// identifier and distinct tenants never share one ('_' → "__", '-' →
// "_h", '.' → "_d").
func TenantDatabase(database, tenant string) string {
	if tenant == tenancy.Default {
		return database
	}
	if database == "" {
		database = "default"
	}
	var b strings.Builder
	b.WriteString(database)
	b.WriteByte('_')
	for _, r := range tenant {
		switch r {
		case '_':
			b.WriteString("__")
		case '-':
			b.WriteString("_h")
		case '.':
			b.WriteString("_d")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tenantRetention applies tenant's retention overrides to the configured
// retention (zero: as storage::retention).
func tenantRetention(r RetentionConfig, mt MultitenancyConfig, tenant string) RetentionConfig {
	o := mt.Overrides.For(tenant).Retention
	pick := func(cur, over time.Duration) time.Duration {
		if over > 0 {
			return over
		}
		return cur
	}
	return RetentionConfig{
		Logs: pick(r.Logs, o.Logs), Traces: pick(r.Traces, o.Traces),
		Metrics: pick(r.Metrics, o.Metrics), Sessions: pick(r.Sessions, o.Sessions),
	}
}

// Floors of a tenant's memory share: below them a store cannot work well.
const (
	minTenantMemory      = 64 << 20
	minTenantPendingRows = 4096
	minTenantBuffered    = 8 << 20
)

// splitMemory divides the store's memory settings — totals for the whole
// process, from the memory budget or the user — across n tenants: the
// DuckDB memory_limit, max_pending_rows and parts::max_buffered_bytes.
// Unset values stay unset (the store's own default).
func splitMemory(c StorageConfig, n int) (StorageConfig, error) {
	if n <= 1 {
		return c, nil
	}
	if strings.TrimSpace(c.MemoryLimit) != "" {
		total, err := budget.ParseBytes(c.MemoryLimit)
		if err != nil {
			return c, fmt.Errorf("storage::memory_limit: %w", err)
		}
		c.MemoryLimit = fmt.Sprintf("%dMiB", max(total/int64(n), minTenantMemory)>>20)
	}
	if c.MaxPendingRows > 0 {
		c.MaxPendingRows = max(c.MaxPendingRows/n, minTenantPendingRows)
	}
	if strings.TrimSpace(c.Parts.MaxBufferedBytes) != "" {
		total, err := c.Parts.maxBufferedBytes()
		if err != nil {
			return c, err
		}
		c.Parts.MaxBufferedBytes = fmt.Sprintf("%dMiB", max(total/int64(n), minTenantBuffered)>>20)
	}
	return c, nil
}
