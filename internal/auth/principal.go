package auth

import "context"

// Principal is who a request acts as.
type Principal struct {
	// Kind is "user" (session), "token" (API token), "anonymous" (no user
	// exists yet: everything is open) or "ingest" (an ingestion key).
	Kind string `json:"kind"`
	// ID is the user's or token's ID.
	ID string `json:"id,omitempty"`
	// Name is the user's email or the token's name.
	Name string `json:"name,omitempty"`
	Role Role   `json:"role,omitempty"`
	// Tenant is the user's, token's or ingestion key's tenant ("" is the
	// default tenant). Nothing reads it yet (tenancy is issue 14's other
	// half).
	Tenant string `json:"tenant,omitempty"`
}

// Actor names the principal in the audit log.
func (p Principal) Actor() string {
	switch p.Kind {
	case "user":
		return p.Name
	case "token":
		return "token:" + p.Name
	}
	return p.Kind
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the request's principal (Kind "" if none was set).
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}
