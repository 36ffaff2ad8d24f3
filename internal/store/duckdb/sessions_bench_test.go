package duckdb

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/overlook-dev/overlook/internal/store"
)

// syntheticRecording is minutes of a busy page as the session recorder
// sends it: a full snapshot every 10 minutes (2.5 MB, in 3 chunks), and
// perSecond incremental events (DOM mutations, ≈ 300 bytes each).
func syntheticRecording(sid string, t0 time.Time, minutes, perSecond int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "shop-web")
	rl.Resource().Attributes().PutStr(store.SessionAttr, sid)
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	ev := 0
	add := func(at time.Time, chunk, total int, body string) {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(at))
		lr.Body().SetStr(body)
		lr.Attributes().PutDouble("rr-web.event", float64(ev))
		lr.Attributes().PutDouble("rr-web.chunk", float64(chunk))
		lr.Attributes().PutDouble("rr-web.total-chunks", float64(total))
	}
	for s := 0; s < minutes*60; s++ {
		at := t0.Add(time.Duration(s) * time.Second)
		if s%600 == 0 {
			ev++
			snap := fmt.Sprintf(`{"type":2,"timestamp":%d,"data":{"node":{"type":0,"id":1,"childNodes":[],"text":"%s"}}}`,
				at.UnixMilli(), strings.Repeat(fmt.Sprintf("<div class=row-%d>item</div>", s), 90000))
			n := (len(snap) + 949*1024) / (950 * 1024)
			size := (len(snap) + n - 1) / n
			for c := 0; c < n; c++ {
				add(at, c+1, n, snap[c*size:min((c+1)*size, len(snap))])
			}
		}
		for i := 0; i < perSecond; i++ {
			ev++
			add(at.Add(time.Duration(i)*time.Millisecond), 1, 1, fmt.Sprintf(
				`{"type":3,"timestamp":%d,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":%d,"nextId":null,"node":{"type":2,"tagName":"span","attributes":{"class":"tick"},"childNodes":[],"id":%d}}]}}`,
				at.UnixMilli()+int64(i), 40+i, 1000+ev))
		}
	}
	return ld
}

// BenchmarkSessionFirstPage: a 30-minute session of a busy page (10 DOM
// mutations a second); reports the bytes stored per minute of recording
// and the time to read and page through it (first page = what the player
// needs for its first frame).
func BenchmarkSessionFirstPage(b *testing.B) {
	s, err := Open(Config{Dir: filepath.Join(b.TempDir(), "data")}, testLogger(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	t0 := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	const minutes = 30
	for m := 0; m < minutes; m += 5 { // the SDK sends small batches; 5 minutes per insert here
		if err := s.InsertSessions(ctx, syntheticRecording("s-30m", t0.Add(time.Duration(m)*time.Minute), 5, 10)); err != nil {
			b.Fatal(err)
		}
	}
	p := store.SessionRecordsParams{SessionID: "s-30m", Start: t0.Add(-time.Minute), End: t0.Add(time.Hour)}
	if _, _, err := s.SessionRecords(ctx, p); err != nil { // cuts the head into parts
		b.Fatal(err)
	}
	disk := s.partSessions.t.Stats().DiskBytes
	b.ResetTimer()
	for b.Loop() {
		recs, _, err := s.SessionRecords(ctx, p)
		if err != nil || len(recs) == 0 {
			b.Fatalf("first page: %d records, %v", len(recs), err)
		}
	}
	b.ReportMetric(float64(disk)/minutes, "stored-B/min")
}
