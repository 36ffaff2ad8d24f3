package duckdb

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// TestFsyncProbe inserts OVERLOOK_FSYNC_PROBE batches one by one; run it
// under strace to count WAL syncs per commit:
//
//	OVERLOOK_FSYNC_PROBE=20 strace -f -e trace=fsync,fdatasync,sync_file_range \
//	  go test ./internal/store/duckdb -run TestFsyncProbe
func TestFsyncProbe(t *testing.T) {
	n := os.Getenv("OVERLOOK_FSYNC_PROBE")
	if n == "" {
		t.Skip("set OVERLOOK_FSYNC_PROBE=<batches>")
	}
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var k int
	for _, c := range n {
		k = k*10 + int(c-'0')
	}
	for i := range k {
		if err := s.InsertLogs(context.Background(), storetest.SampleLogsAt(time.Now().Add(time.Duration(i)*time.Second), 10)); err != nil {
			t.Fatal(err)
		}
		os.Stderr.WriteString("=== commit done\n")
	}
}
