package storetest

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/store"
)

// bare is a store with none of the optional capabilities.
type bare struct{ store.Store }

func (bare) Close() error { return nil }

// withSessions is a store declaring to have the sessions capability.
type withSessions struct {
	bare
	store.SessionInserter
	store.SessionReader
}

// TestCapabilityHelper is run by TestCapabilities in a child process: it
// runs one capability case against the store STORETEST_HELPER names.
func TestCapabilityHelper(t *testing.T) {
	var opts []Option
	var open Opener
	switch os.Getenv("STORETEST_HELPER") {
	case "":
		t.Skip("run by TestCapabilities")
	case "undeclared":
		open = func(*testing.T) store.Store { return bare{} }
	case "declared":
		open = func(*testing.T) store.Store { return bare{} }
		opts = append(opts, Unsupported(Sessions, "no browser sessions in this backend"))
	case "stale":
		open = func(*testing.T) store.Store { return withSessions{} }
		opts = append(opts, Unsupported(Sessions, "stale"))
	}
	o := newOptions(opts)
	openCapable(t, open, o, Sessions)
}

// TestCapabilities: a backend lacking a capability fails the suite unless
// it declares it unsupported, and then the suite skips its cases saying
// why; declaring a capability the backend has fails too.
func TestCapabilities(t *testing.T) {
	for _, tc := range []struct {
		helper string
		fail   bool
		want   string
	}{
		{"undeclared", true, `lacks capability "sessions" (store.SessionInserter, store.SessionReader) and does not declare it`},
		{"declared", false, `capability "sessions" declared unsupported by the backend: no browser sessions in this backend`},
		{"stale", true, `implements capability "sessions" but declares it unsupported`},
	} {
		t.Run(tc.helper, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCapabilityHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_HELPER="+tc.helper)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.fail {
				t.Errorf("failed = %v, want %v:\n%s", failed, tc.fail, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
			if !tc.fail && !strings.Contains(string(out), "--- SKIP") {
				t.Errorf("not reported as skipped:\n%s", out)
			}
		})
	}
}
