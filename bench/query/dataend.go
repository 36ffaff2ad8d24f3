package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// dataEnd returns the end of the data in dir (API mode with -binary and
// no -end): just after the newest row of the spans and log parts, read
// from the parts' index files (DIR/parts/otel_{traces,logs}/*.json,
// field max_ts), so that "the last hour" and the 24 h the trace IDs are
// sampled from are the data's, not the hours before now (data loaded
// with -spread 24h ends at its load time, possibly hours ago). ok is
// false when no part index holds a time (an empty or non-parts data
// dir): the caller keeps now.
func dataEnd(dir string) (end time.Time, ok bool, err error) {
	var newest int64
	for _, table := range []string{"otel_traces", "otel_logs"} {
		files, err := filepath.Glob(filepath.Join(dir, "parts", table, "part-*.json"))
		if err != nil {
			return time.Time{}, false, fmt.Errorf("list the parts of %s: %w", table, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if errors.Is(err, fs.ErrNotExist) {
				continue // merged away since the listing
			}
			if err != nil {
				return time.Time{}, false, fmt.Errorf("read part index: %w", err)
			}
			var m struct {
				MaxTS int64 `json:"max_ts"`
			}
			if err := json.Unmarshal(b, &m); err != nil {
				return time.Time{}, false, fmt.Errorf("part index %s: %w", filepath.Base(f), err)
			}
			newest = max(newest, m.MaxTS)
		}
	}
	if newest == 0 {
		return time.Time{}, false, nil
	}
	// The ranges end exclusive: one nanosecond after the newest row.
	return time.Unix(0, newest+1).UTC(), true, nil
}
