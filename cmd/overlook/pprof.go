package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// PprofEnv names the environment variable that, when set to a listen
// address (e.g. 127.0.0.1:6060), serves Go's profiles (/debug/pprof/) on
// it: for measuring where the memory and CPU go (docs/benchmarks.md). Off
// by default; it is not on the API port because profiles are not for
// every API user.
const PprofEnv = "OVERLOOK_PPROF_ADDR"

// startPprof serves net/http/pprof on addr until ctx is done.
func startPprof(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s=%q: listen: %w", PprofEnv, addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/memory", memoryBreakdown)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("pprof server stopped", "err", err)
		}
	}()
	log.Info("serving Go profiles", "addr", ln.Addr().String(), "env", PprofEnv)
	return nil
}
