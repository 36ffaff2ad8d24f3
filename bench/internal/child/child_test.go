package child

import (
	"errors"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// endThreads makes the Go runtime terminate n OS threads: a goroutine
// that returns while locked to its thread takes the thread with it.
func endThreads(n int) {
	for range n {
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread()
		}()
		<-done
	}
}

func alive(t *testing.T, cmd *exec.Cmd) bool {
	t.Helper()
	err := cmd.Process.Signal(syscall.Signal(0))
	return err == nil
}

func TestChildOutlivesEndedThreads(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	done, err := Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	endThreads(20)
	select {
	case err := <-done:
		t.Fatalf("the child exited after threads ended: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if !alive(t, cmd) {
		t.Fatal("the child is gone")
	}
}

// TestThreadExitSignalsChild shows the hazard Start avoids: a child
// forked by a thread that then ends gets its parent-death signal.
func TestThreadExitSignalsChild(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // returns locked: its thread ends
		started <- cmd.Start()
	}()
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Fatalf("child ended with %v, want SIGTERM", err)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the child was not signalled when its forking thread ended")
	}
}

func TestStartError(t *testing.T) {
	if _, err := Start(exec.Command("/nonexistent/overlook")); err == nil {
		t.Fatal("want an error for a missing binary")
	}
}
