package overlookext

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"go.opentelemetry.io/collector/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/tenancy"
)

// Ingestion keys are checked by the receivers' `overlook` middleware (the
// config converter puts it on every OTLP receiver, gRPC and HTTP) rather
// than by an extensionauth.Server: that way configuring a key protects
// every OTLP endpoint — the browser one included — without touching each
// receiver's config, and the refusal is counted with the other ingest
// refusals. The collector's own authenticators (basicauth,
// bearertokenauth) stay available per receiver and run before it.

// tenantAuth is the client.Info auth data of a request whose ingestion
// key names a tenant: attribute "tenant".
type tenantAuth struct{ tenant string }

func (a tenantAuth) GetAttribute(name string) any {
	if name == "tenant" {
		return a.tenant
	}
	return nil
}

func (tenantAuth) GetAttributeNames() []string { return []string{"tenant"} }

// withTenant records the key's tenant on ctx: as client.Info auth data
// (unless a collector authenticator set its own) and as the principal.
func withTenant(ctx context.Context, tenant string) context.Context {
	info := client.FromContext(ctx)
	if info.Auth == nil {
		info.Auth = tenantAuth{tenant: tenant}
		ctx = client.NewContext(ctx, info)
	}
	return auth.WithPrincipal(ctx, auth.Principal{Kind: "ingest", Tenant: tenant})
}

// authorizeHTTP checks an OTLP/HTTP request's ingestion key; false: the
// 401 was written.
func (e *Extension) authorizeHTTP(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if r.Method == http.MethodOptions {
		return r, true
	}
	enc := encodingOf(r)
	if enc == encNone {
		enc = encJSON
	}
	keyTenant, keyed := "", false
	if keys := e.keys.Load(); keys != nil {
		tenant, err := keys.Check(r.Header.Get("Authorization"))
		if err != nil {
			e.refused("http", "unauthenticated")
			w.Header().Set("WWW-Authenticate", `Bearer realm="overlook"`)
			writeStatus(w, enc, http.StatusUnauthorized, err.Error())
			return r, false
		}
		r = r.WithContext(withTenant(r.Context(), tenant))
		keyTenant, keyed = tenant, true
	}
	ctx, code, msg := e.ingestTenant(r.Context(), keyTenant, r.Header.Values(e.cfg.Multitenancy.header()))
	if code != 0 {
		e.refused("http", "tenant")
		if code == http.StatusUnauthorized && !keyed {
			w.Header().Set("WWW-Authenticate", `Bearer realm="overlook"`)
		}
		writeStatus(w, enc, code, msg)
		return r, false
	}
	return r.WithContext(ctx), true
}

// ingestTenant puts an ingest request's tenant on ctx (multitenancy on
// only): its ingestion key's tenant, else the tenant header / metadata,
// else it is refused (401). A header naming another tenant than the key's
// is refused (403). The answer is an HTTP status (0: accepted) and the
// message.
func (e *Extension) ingestTenant(ctx context.Context, keyTenant string, header []string) (context.Context, int, string) {
	mt := e.cfg.Multitenancy
	if !mt.Enabled {
		return ctx, 0, ""
	}
	hname := mt.header()
	var named string
	if len(header) > 0 {
		v := strings.TrimSpace(header[0])
		ts, err := tenancy.Split(v)
		switch {
		case err != nil:
			return ctx, http.StatusBadRequest, fmt.Sprintf("%s: %v", hname, err)
		case len(ts) != 1 || len(header) > 1:
			return ctx, http.StatusBadRequest, fmt.Sprintf("%s %q names several tenants: ingest writes to exactly one", hname, strings.Join(header, ","))
		}
		named = ts[0]
	}
	tenant := keyTenant
	switch {
	case keyTenant != "" && named != "" && named != keyTenant:
		return ctx, http.StatusForbidden, fmt.Sprintf("the ingestion key sent belongs to tenant %q, but %s names %q: send the header of the key's tenant or none",
			keyTenant, hname, named)
	case keyTenant == "" && named == "":
		return ctx, http.StatusUnauthorized, fmt.Sprintf("multitenancy is on: set the %s header (gRPC metadata %q) to the tenant the data belongs to, or use an ingestion key of a tenant (extensions::overlook::auth::ingestion_keys)",
			hname, mt.grpcKey())
	case keyTenant == "":
		tenant = named
	}
	if err := tenancy.Validate(tenant); err != nil {
		return ctx, http.StatusBadRequest, err.Error()
	}
	// client.Info's auth attribute "tenant" is what the collector's
	// headers_setter extension forwards (from_context: tenant); a key
	// without a tenant left an empty one.
	info := client.FromContext(ctx)
	if a, ok := info.Auth.(tenantAuth); info.Auth == nil || ok && a.tenant == "" {
		info.Auth = tenantAuth{tenant: tenant}
		ctx = client.NewContext(ctx, info)
	}
	return tenancy.With(ctx, tenant), 0, ""
}

func (e *Extension) grpcTenant(ctx context.Context) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	keyTenant := ""
	if keys := e.keys.Load(); keys != nil {
		var v string
		if vs := md.Get("authorization"); len(vs) > 0 {
			v = vs[0]
		}
		tenant, err := keys.Check(v)
		if err != nil {
			e.refused("grpc", "unauthenticated")
			return ctx, status.Error(codes.Unauthenticated, err.Error())
		}
		ctx, keyTenant = withTenant(ctx, tenant), tenant
	}
	ctx, code, msg := e.ingestTenant(ctx, keyTenant, md.Get(e.cfg.Multitenancy.grpcKey()))
	if code != 0 {
		e.refused("grpc", "tenant")
		return ctx, status.Error(grpcCodeOf(code), msg)
	}
	return ctx, nil
}

// grpcCodeOf maps ingestTenant's HTTP statuses to gRPC codes.
func grpcCodeOf(httpCode int) codes.Code {
	switch httpCode {
	case http.StatusUnauthorized:
		return codes.Unauthenticated
	case http.StatusForbidden:
		return codes.PermissionDenied
	}
	return codes.InvalidArgument
}

func (e *Extension) authUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	ctx, err := e.grpcTenant(ctx)
	if err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

type tenantStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s tenantStream) Context() context.Context { return s.ctx }

func (e *Extension) authStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	ctx, err := e.grpcTenant(ss.Context())
	if err != nil {
		return err
	}
	return handler(srv, tenantStream{ServerStream: ss, ctx: ctx})
}
