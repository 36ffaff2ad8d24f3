package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRecordPage(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := func(ms int, ev, chunk, total int64, body string) SessionRecord {
		return SessionRecord{Timestamp: t0.Add(time.Duration(ms) * time.Millisecond), Event: ev, Chunk: chunk, TotalChunks: total, Body: body}
	}
	tests := []struct {
		name     string
		p        SessionRecordsParams
		recs     []SessionRecord
		wantN    int
		wantMore bool
	}{
		{"fits", SessionRecordsParams{Limit: 3}, []SessionRecord{rec(1, 1, 1, 1, "a"), rec(2, 2, 1, 1, "b")}, 2, false},
		{"limit", SessionRecordsParams{Limit: 1}, []SessionRecord{rec(1, 1, 1, 1, "a"), rec(2, 2, 1, 1, "b")}, 1, true},
		{"whole event past the limit", SessionRecordsParams{Limit: 1},
			[]SessionRecord{rec(1, 1, 1, 3, "a"), rec(1, 1, 2, 3, "b"), rec(1, 1, 3, 3, "c"), rec(2, 2, 1, 1, "d")}, 3, true},
		{"bytes", SessionRecordsParams{Limit: 10, MaxBytes: 4},
			[]SessionRecord{rec(1, 1, 1, 1, "abcd"), rec(2, 2, 1, 1, "e")}, 1, true},
		{"default limit", SessionRecordsParams{}, manyRecords(t0, DefaultRecordsLimit+1), DefaultRecordsLimit, true},
		{"limit capped", SessionRecordsParams{Limit: MaxRecordsLimit + 1}, manyRecords(t0, MaxRecordsLimit+1), MaxRecordsLimit, true},
		{"no event number", SessionRecordsParams{Limit: 1}, []SessionRecord{rec(1, -1, 1, 2, "a"), rec(1, -1, 2, 2, "b")}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pg := NewRecordPage(tt.p)
			more := false
			for _, r := range tt.recs {
				if pg.Add(r) {
					more = true
					break
				}
			}
			if len(pg.Records) != tt.wantN || more != tt.wantMore {
				t.Fatalf("got %d records, more %v; want %d, %v", len(pg.Records), more, tt.wantN, tt.wantMore)
			}
		})
	}
}

func manyRecords(t0 time.Time, n int) []SessionRecord {
	out := make([]SessionRecord, n)
	for i := range out {
		out[i] = SessionRecord{Timestamp: t0.Add(time.Duration(i) * time.Millisecond), Event: int64(i), Chunk: 1, TotalChunks: 1, Body: "x"}
	}
	return out
}

func TestSessionLimits(t *testing.T) {
	tests := []struct {
		limit, sessions, timeline int
	}{
		{0, DefaultSessionsLimit, DefaultTimelineLimit},
		{-1, DefaultSessionsLimit, DefaultTimelineLimit},
		{7, 7, 7},
		{MaxSessionsLimit + 1, MaxSessionsLimit, MaxSessionsLimit + 1},
		{MaxTimelineLimit + 1, MaxSessionsLimit, MaxTimelineLimit},
	}
	for _, tt := range tests {
		if got := (SessionsParams{Limit: tt.limit}).SessionsLimit(); got != tt.sessions {
			t.Errorf("SessionsLimit(%d) = %d, want %d", tt.limit, got, tt.sessions)
		}
		if got := (SessionTimelineParams{Limit: tt.limit}).TimelineLimit(); got != tt.timeline {
			t.Errorf("TimelineLimit(%d) = %d, want %d", tt.limit, got, tt.timeline)
		}
	}
}

func TestCheckSessionRange(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		start, end time.Time
		want       string
	}{
		{t0, t0.Add(time.Hour), ""},
		{t0, t0, ""},
		{time.Time{}, t0, "a time range (start and end) is required"},
		{t0, time.Time{}, "a time range (start and end) is required"},
		{t0.Add(time.Hour), t0, "before start"},
	}
	for _, tt := range tests {
		err := CheckSessionRange(tt.start, tt.end)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckSessionRange(%v, %v) = %v", tt.start, tt.end, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("CheckSessionRange(%v, %v) = %v, want %q (ErrInvalidArgument)", tt.start, tt.end, err, tt.want)
		}
	}
}
