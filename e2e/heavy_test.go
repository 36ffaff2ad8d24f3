package e2e

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Load tests (TestMemoryCapOverload, TestHostileInput) assert bounds —
// memory under overload, an answer to every request — that hold for the
// server's own load but not when other load tests starve it of CPU on a
// small machine: on 2 cores with two busy loops beside it the memory-cap
// server got 13% of a core, exports waited past the client's deadline and
// its anonymous memory went 1 MiB over the bound. Two measures keep the
// bounds about the server:
//
//   - heavy serialises the load tests of every e2e process on the machine
//     (other checkouts' runs, CI): a file lock in the temporary directory,
//     held until the test ends. Within one `go test` run they are already
//     sequential (neither is parallel).
//   - heavyLauncher runs the server at a higher CPU priority (nice -10;
//     as root — CI runs as root — else nice only warns), so that a busy
//     neighbour slows the test's clients rather than the server under
//     test.

// heavyLockName is the lock file shared by every e2e process.
const heavyLockName = "overlook-e2e-heavy.lock"

// heavyLauncher starts the server of a load test at niceness -10.
var heavyLauncher = []string{"nice", "-n", "-10"}

// heavy takes the machine-wide lock of load tests, waiting for another
// process's load test to end, and releases it when t ends.
func heavy(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), heavyLockName), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatalf("open the load-test lock: %v", err)
	}
	start := time.Now()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("take the load-test lock: %v", err)
	}
	if w := time.Since(start); w > time.Second {
		t.Logf("waited %s for another process's load test (%s)", w.Round(time.Second), f.Name())
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}
