// Package tenancy names tenants and carries the tenant of a request through
// its context, from the ingest middleware or the API's gate to the store
// that holds that tenant's data (docs/security.md, "Tenancy").
//
// With extensions::overlook::multitenancy::enabled false (the default)
// every request belongs to Default. With it on, a request names its tenant
// (the X-Scope-OrgID header, gRPC metadata, its ingestion key, or its user
// or token) or is refused.
package tenancy

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Default is the tenant of a single-tenant install, and the tenant the data
// written before multitenancy was enabled belongs to.
const Default = "default"

// ResourceAttribute is the resource attribute that carries the tenant of
// telemetry through pipelines that lose the request's context (the span
// metrics and service graph connectors emit on their own timer). The
// ingest side sets it from the authenticated tenant, overwriting whatever a
// client sent; the store exporter reads it when the context names no
// tenant, and removes it before storing.
const ResourceAttribute = "overlook.tenant"

// CrossTenantSeparator joins the tenants of a cross-tenant read ("a|b"), as
// Tempo does.
const CrossTenantSeparator = "|"

// nameRE is what a tenant name may be: it is used as a directory and a
// database-name suffix, so a conservative set.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// Validate says why name cannot be a tenant, or nil.
func Validate(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("tenant %q is not a valid tenant name: use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", name)
	}
	return nil
}

// Split parses a tenant header value: one tenant, or several joined by "|"
// (a cross-tenant read). Each is validated; duplicates are removed.
func Split(value string) ([]string, error) {
	var out []string
	for _, t := range strings.Split(value, CrossTenantSeparator) {
		t = strings.TrimSpace(t)
		if err := Validate(t); err != nil {
			return nil, err
		}
		dup := false
		for _, o := range out {
			dup = dup || o == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out, nil
}

type key struct{}

// With returns ctx carrying tenant.
func With(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, key{}, tenant)
}

// From returns the tenant ctx carries, and whether it carries one.
func From(ctx context.Context) (string, bool) {
	t, ok := ctx.Value(key{}).(string)
	return t, ok && t != ""
}
