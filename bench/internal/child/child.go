// Package child starts the servers a benchmark measures so that they stop
// when the benchmark program dies, and only then.
package child

import (
	"fmt"
	"os/exec"
	"runtime"
	"syscall"
)

// Start starts cmd in its own process group (so that a Ctrl-C in the
// terminal reaches only the benchmark, which reports and then stops the
// server itself) with SIGTERM as its parent-death signal (so that it
// does not outlive a benchmark that dies).
//
// Linux sends the parent-death signal when the thread that forked the
// child exits, not when the process does, and the Go runtime ends a
// thread whenever a goroutine locked to it returns. A server started
// from an arbitrary goroutine could therefore be sent SIGTERM in the
// middle of a run. Start forks from a goroutine locked to its thread and
// keeps that goroutine, and so the thread, until the child has exited.
//
// The returned channel receives cmd.Wait's result once the child has
// exited.
func Start(cmd *exec.Cmd) (<-chan error, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
	started := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		// Never unlocked: the thread ends with this goroutine, after the
		// child has exited.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		done <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	return done, nil
}
