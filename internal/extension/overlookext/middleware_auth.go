package overlookext

import (
	"context"
	"net/http"

	"go.opentelemetry.io/collector/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/auth"
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
	keys := e.keys.Load()
	if keys == nil || r.Method == http.MethodOptions {
		return r, true
	}
	tenant, err := keys.Check(r.Header.Get("Authorization"))
	if err != nil {
		e.refused("http", "unauthenticated")
		enc := encodingOf(r)
		if enc == encNone {
			enc = encJSON
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="overlook"`)
		writeStatus(w, enc, http.StatusUnauthorized, err.Error())
		return r, false
	}
	return r.WithContext(withTenant(r.Context(), tenant)), true
}

func (e *Extension) grpcTenant(ctx context.Context) (context.Context, error) {
	keys := e.keys.Load()
	if keys == nil {
		return ctx, nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	var v string
	if vs := md.Get("authorization"); len(vs) > 0 {
		v = vs[0]
	}
	tenant, err := keys.Check(v)
	if err != nil {
		e.refused("grpc", "unauthenticated")
		return ctx, status.Error(codes.Unauthenticated, err.Error())
	}
	return withTenant(ctx, tenant), nil
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
