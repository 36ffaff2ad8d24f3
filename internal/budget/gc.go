package budget

import "strings"

// GCPercent is the Go garbage collector's target (GOGC) that overlook
// sets when the user did not set GOGC. Go's default, 100, lets the heap
// grow to twice what is live before a collection: at max ingest ≈ 100 MB
// is live (the two part writers, the receivers' decoded requests), so the
// heap peaked ≈ 200 MB and the process's RSS at 440–460 MiB, over issue
// 10's 400 MiB. 50 keeps the heap within 1.5× of what is live, for a
// little more collector CPU (docs/benchmarks.md, "Issue 10: peak RSS at
// max ingest"). GOMEMLIMIT (the budget's Go share) still bounds the heap
// whatever GOGC says.
const GCPercent = 50

// DefaultGCPercent returns the GOGC to set and true, or false when the
// environment sets GOGC itself (the runtime has applied it already).
func DefaultGCPercent(getenv func(string) string) (int, bool) {
	if strings.TrimSpace(getenv("GOGC")) != "" {
		return 0, false
	}
	return GCPercent, true
}
