package duckdb

import "testing"

// TestAllocatorSettings: the store makes DuckDB's allocator give freed
// memory back (issue 10, peak RSS): flush past 16 MiB instead of
// DuckDB's 128 MiB, with jemalloc's background thread on.
func TestAllocatorSettings(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct{ name, want string }{
		{"allocator_flush_threshold", "16.0 MiB"},
		{"allocator_background_threads", "true"},
	} {
		var got string
		if err := s.db.QueryRow("SELECT current_setting('" + tc.name + "')::VARCHAR").Scan(&got); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, got, tc.want)
		}
	}
}
