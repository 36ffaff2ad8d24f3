package parts

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// TestKill9 runs a process that inserts (cutting, writing and merging
// parts all the while), kills it with SIGKILL after some acknowledged
// inserts, and checks that reopening finds every acknowledged row once:
// no loss, no duplicate. Three rounds on the same directory.
func TestKill9(t *testing.T) {
	if os.Getenv("PARTS_KILL_CHILD") != "" {
		killChild()
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	acked := 0
	for round, killAt := range []int{40, 97, 151} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestKill9$")
		cmd.Env = append(os.Environ(), "PARTS_KILL_CHILD=1", "PARTS_KILL_DIR="+dir,
			"PARTS_KILL_SEED="+strconv.Itoa(acked/10+1))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n := 0
		for n < killAt && sc.Scan() {
			if sc.Text() == "ack" {
				n++
			}
		}
		cmd.Process.Kill()
		for sc.Scan() { // acknowledged before the kill landed
			if sc.Text() == "ack" {
				n++
			}
		}
		cmd.Wait()
		if n < killAt {
			t.Fatalf("round %d: child acknowledged %d inserts, then ended", round, n)
		}
		acked += n * 10
		tb := open(t, Config{Dir: dir, Kind: Traces})
		got := count(t, tb) // fails on duplicates
		if err := tb.Close(); err != nil {
			t.Fatal(err)
		}
		// Every acknowledged row; at most one unacknowledged insert more
		// (the one in flight).
		if got < int64(acked) || got > int64(acked+10) {
			t.Fatalf("round %d: %d rows after kill -9, want %d acknowledged (+ at most 10 in flight)", round, got, acked)
		}
		acked = int(got)
	}
}

func killChild() {
	seed, _ := strconv.Atoi(os.Getenv("PARTS_KILL_SEED"))
	tb, err := Open(context.Background(), Config{Dir: os.Getenv("PARTS_KILL_DIR"), Kind: Traces,
		PartRows: 35, MergeRows: 200, RowGroupRows: 16, FlushInterval: 3 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := seed; ; i++ {
		if err := tb.InsertTraces(context.Background(), spans(fmt.Sprintf("svc%d", i%3), i, 10)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(w, "ack")
		w.Flush()
	}
}
