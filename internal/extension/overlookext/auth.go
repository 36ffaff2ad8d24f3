package overlookext

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/ui"
)

// readPOSTs are the native API's POST endpoints that only read: they need
// the viewer role, not editor, and keep accepting any content type.
var readPOSTs = []string{"/api/search", "/api/chart", "/api/patterns", "/api/deltas", "/api/facets", "/api/infrastructure", "/api/sessions"}

// authParts is the extension's access-control state, built at Start.
type authParts struct {
	store *auth.Store
	gate  *auth.Gate
}

// AuthDir is where users, tokens and the audit log live under the data
// directory.
func AuthDir(dataDir string) string { return filepath.Join(dataDir, "auth") }

// startAuth opens the user store and the login sessions (shared in st
// when it offers that: openUsers, openSessions) and loads the ingestion
// keys.
func (e *Extension) startAuth(st store.Store) (*auth.Store, error) {
	keys, err := auth.LoadIngestionKeys(e.cfg.Auth.IngestionKeys)
	if err != nil {
		return nil, fmt.Errorf("extensions::overlook::auth::ingestion_keys: %w", err)
	}
	e.keys.Store(keys)
	us, err := openUsers(st, e.cfg.Storage.Directory)
	if err != nil {
		return nil, fmt.Errorf("open the users store: %w", err)
	}
	sessions, err := openSessions(st, us.Dir(), e.cfg.Auth.SessionTTL, e.cfg.Auth.MaxSessionsPerUser)
	if err != nil {
		return nil, fmt.Errorf("open the login sessions: %w", err)
	}
	e.sessions = sessions
	return us, nil
}

// gateFor puts the auth gate in front of the API handler.
func (e *Extension) gateFor(us *auth.Store, next http.Handler, onUser func()) http.Handler {
	lim := e.cfg.Auth.LoginRateLimit
	var trusted []string
	if e.cfg.HTTP.CORS.HasValue() {
		trusted = e.cfg.HTTP.CORS.Get().AllowedOrigins
	}
	return auth.NewGate(auth.GateOptions{
		Store: us, Sessions: e.sessions,
		Audit: us.Audit(), Limiter: auth.NewLoginLimiter(lim.Attempts, lim.Window),
		Logger: e.logger.With("api", "auth"), Keys: e.keys.Load(), TrustedOrigins: trusted,
		ScriptHashes: ui.InlineScriptHashes(), ReadPOSTs: readPOSTs, OnUserAdded: onUser,
	}, next)
}

// listenPlan decides where the API listens. An endpoint without a host
// (the default ":8080") means: on loopback only while no user exists, on
// every interface once one does. An explicit wide address with no user
// is allowed but warned about.
func (e *Extension) listenPlan(us *auth.Store) (endpoint string, loopbackUntilUser bool) {
	ep := e.cfg.HTTP.NetAddr.Endpoint
	host, port, err := net.SplitHostPort(ep)
	if err != nil || us.HasUsers() {
		return ep, false
	}
	if host == "" {
		e.logger.Warn("no user exists yet: the API and UI listen on loopback only until the first admin is created "+
			"(open the UI from this machine, or run `overlook user add`); set extensions::overlook::http::endpoint "+
			"to host:port to choose the address yourself (docs/security.md)", "endpoint", net.JoinHostPort("127.0.0.1", port))
		return net.JoinHostPort("127.0.0.1", port), true
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		e.logger.Warn("no user exists and the API listens beyond loopback: anyone who reaches it can read and change everything "+
			"until the first admin is created (UI first-run page or `overlook user add`; docs/security.md)", "endpoint", ep)
	}
	return ep, false
}

// rebinder moves the API from its loopback listener to the configured
// wide one once a user exists.
type rebinder struct {
	e      *Extension
	us     *auth.Store
	srv    *http.Server
	cur    net.Listener
	next   chan net.Listener // to the serve loop
	moving chan struct{}     // closed when the loop must wait for next
	poke   chan struct{}
	stop   context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func newRebinder(e *Extension, us *auth.Store) *rebinder {
	return &rebinder{e: e, us: us, next: make(chan net.Listener, 1), moving: make(chan struct{}),
		poke: make(chan struct{}, 1), done: make(chan struct{})}
}

// userAdded wakes the watcher (the setup page or /api/users).
func (b *rebinder) userAdded() {
	select {
	case b.poke <- struct{}{}:
	default:
	}
}

// watch polls the users file (the CLI may add a user) and rebinds once a
// user exists.
func (b *rebinder) watch(ctx context.Context) {
	defer close(b.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-b.poke:
		}
		if err := b.us.Refresh(); err != nil {
			b.e.logger.Error("re-read the users file", "err", err)
			continue
		}
		if b.us.HasUsers() {
			b.rebind(ctx)
			return
		}
	}
}

func (b *rebinder) rebind(ctx context.Context) {
	close(b.moving)
	_ = b.cur.Close() // the serve loop now waits for the next listener
	ln, err := b.e.cfg.HTTP.ToListener(ctx)
	if err != nil {
		b.e.logger.Error("a user exists now, but the API cannot listen on the configured address; it stays on loopback",
			"endpoint", b.e.cfg.HTTP.NetAddr.Endpoint, "err", err)
		hc := b.e.cfg.HTTP
		hc.NetAddr.Endpoint = b.cur.Addr().String()
		if ln, err = hc.ToListener(ctx); err != nil {
			b.e.logger.Error("re-listen on loopback", "err", err)
			close(b.next)
			return
		}
	} else {
		b.e.logger.Info("a user exists now: the API listens on every interface", "endpoint", ln.Addr().String())
	}
	b.next <- ln
}

// serve runs srv on ln (and on the rebound listener) until it stops.
func (b *rebinder) serve(ln net.Listener) error {
	for {
		err := b.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		select {
		case <-b.moving:
			next, ok := <-b.next
			if !ok {
				return err
			}
			b.moving = make(chan struct{}) // never closed again
			ln = next
			continue
		default:
		}
		return err
	}
}

func (b *rebinder) shutdown() {
	b.once.Do(func() {
		if b.stop != nil {
			b.stop()
			<-b.done
		}
	})
}
