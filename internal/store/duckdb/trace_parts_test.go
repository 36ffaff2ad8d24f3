package duckdb

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store"
)

// randomTraces makes n spans over traces traceIDs, with random resources,
// scopes, attributes, events and links, starting within span of at.
func randomTraces(rng *rand.Rand, traceIDs []pcommon.TraceID, n int, at time.Time, span time.Duration) ptrace.Traces {
	td := ptrace.NewTraces()
	str := func(prefix string, k int) string { return fmt.Sprintf("%s%d", prefix, rng.IntN(k)) }
	for n > 0 {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", str("svc-", 4))
		if rng.IntN(2) == 0 {
			rs.Resource().Attributes().PutStr("host.name", str("host-", 3))
			rs.SetSchemaUrl("https://example.com/r")
			rs.Resource().SetDroppedAttributesCount(uint32(rng.IntN(3)))
		}
		for range 1 + rng.IntN(2) {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(str("scope-", 3))
			if rng.IntN(2) == 0 {
				ss.Scope().SetVersion("1.2")
				ss.Scope().Attributes().PutStr("sa", str("v", 5))
			}
			for range 1 + rng.IntN(6) {
				if n == 0 {
					break
				}
				n--
				sp := ss.Spans().AppendEmpty()
				sp.SetTraceID(traceIDs[rng.IntN(len(traceIDs))])
				var sid pcommon.SpanID
				for i := range sid {
					sid[i] = byte(rng.UintN(256))
				}
				sp.SetSpanID(sid)
				if rng.IntN(3) > 0 {
					sp.SetParentSpanID(pcommon.SpanID{1, 2, 3, byte(rng.IntN(9))})
				}
				sp.SetName(str("op-", 7))
				sp.SetKind(ptrace.SpanKind(rng.IntN(6)))
				sp.Status().SetCode(ptrace.StatusCode(rng.IntN(3)))
				if rng.IntN(4) == 0 {
					sp.Status().SetMessage(str("msg ", 3))
					sp.TraceState().FromRaw("k=v")
					sp.SetFlags(uint32(rng.IntN(512)))
					sp.SetDroppedAttributesCount(uint32(rng.IntN(4)))
					sp.SetDroppedEventsCount(uint32(rng.IntN(4)))
					sp.SetDroppedLinksCount(uint32(rng.IntN(4)))
				}
				start := at.Add(time.Duration(rng.Int64N(int64(span))))
				sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
				sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(rng.IntN(1e9)))))
				for k := range rng.IntN(5) {
					sp.Attributes().PutStr(fmt.Sprintf("a%d", k), str("x", 50))
				}
				if rng.IntN(3) == 0 {
					sp.Attributes().PutInt("n", rng.Int64N(1000))
				}
				for range rng.IntN(3) {
					ev := sp.Events().AppendEmpty()
					ev.SetName(str("ev-", 3))
					ev.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(rng.IntN(1e6)))))
					if rng.IntN(2) == 0 {
						ev.Attributes().PutStr("e", str("y", 4))
					}
					ev.SetDroppedAttributesCount(uint32(rng.IntN(2)))
				}
				for range rng.IntN(2) {
					l := sp.Links().AppendEmpty()
					if rng.IntN(2) == 0 {
						l.SetTraceID(traceIDs[rng.IntN(len(traceIDs))])
					}
					l.SetSpanID(sid)
					l.Attributes().PutStr("l", str("z", 3))
					l.SetFlags(uint32(rng.IntN(300)))
				}
			}
		}
	}
	return td
}

// TestTraceGoMatchesSQL: Trace (read in Go from the head, the parts being
// written and the parts) returns exactly what the DuckDB path over the
// same parts returns, for random data spread over parts of several hours,
// merged parts, small parts cut by reads, the head, and the old DuckDB
// table of a directory written with the DuckDB layout.
func TestTraceGoMatchesSQL(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(10, 5))
	ids := make([]pcommon.TraceID, 40)
	for i := range ids {
		for j := range ids[i] {
			ids[i][j] = byte(rng.UintN(256))
		}
	}
	unknown := "0123456789abcdef0123456789abcdef"
	dir := t.TempDir()
	base := time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Hour)

	// Rows in the old DuckDB table first (a directory written before the
	// parts layout): the Go path unions them in too.
	old, err := Open(Config{Dir: dir, Layout: LayoutDuckDB}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := old.InsertTraces(ctx, randomTraces(rng, ids[:10], 200, base, 30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(Config{Dir: dir, Parts: PartsConfig{PartRows: 300, MergeRows: 2000, FlushInterval: time.Hour}}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.partTraces.legacy.Load() {
		t.Fatal("the DuckDB table's rows are not seen")
	}

	check := func(step string) {
		t.Helper()
		total := 0
		for _, id := range append(ids, pcommon.TraceID{}) {
			hexID := id.String()
			if id.IsEmpty() {
				hexID = unknown
			}
			goRows, err := s.Trace(ctx, hexID) // first: the SQL path cuts the head
			if err != nil {
				t.Fatalf("%s: Trace %s: %v", step, hexID, err)
			}
			sqlRows, err := s.partsTraceSQL(ctx, s.partTraces, hexID)
			if err != nil {
				t.Fatalf("%s: SQL trace %s: %v", step, hexID, err)
			}
			total += len(goRows)
			if len(goRows) != len(sqlRows) {
				t.Fatalf("%s: trace %s: Go path %d spans, SQL path %d", step, hexID, len(goRows), len(sqlRows))
			}
			for i := range goRows {
				if !reflect.DeepEqual(goRows[i], sqlRows[i]) {
					for k, v := range sqlRows[i] {
						if !reflect.DeepEqual(goRows[i][k], v) {
							t.Errorf("%s: trace %s span %d column %s: Go %#v, SQL %#v", step, hexID, i, k, goRows[i][k], v)
						}
					}
					if len(goRows[i]) != len(sqlRows[i]) {
						t.Errorf("%s: trace %s span %d: Go %d columns, SQL %d", step, hexID, i, len(goRows[i]), len(sqlRows[i]))
					}
					t.FailNow()
				}
			}
		}
		if total == 0 {
			t.Fatalf("%s: no spans found", step)
		}
	}
	check("legacy only")
	for round := range 12 {
		// Several hours per batch: a cut writes one part per hour.
		td := randomTraces(rng, ids, 100+rng.IntN(400), base.Add(time.Duration(round)*10*time.Minute), 2*time.Hour)
		if err := s.InsertTraces(ctx, td); err != nil {
			t.Fatal(err)
		}
		if round%3 == 0 {
			check(fmt.Sprintf("round %d", round))
		}
	}
	// The head holds rows here (no read since the last insert).
	if st := s.partTraces.t.Stats(); st.HeadRows == 0 && st.PendingParts == 0 {
		t.Log("no rows buffered before the last check")
	}
	t.Logf("before the last check: %+v", s.partTraces.t.Stats())
	check("end")
	if st := s.partTraces.t.Stats(); st.Merges == 0 {
		t.Errorf("no merge ran: %+v", st)
	}
}

// TestTraceSpansInvalid: a malformed trace ID is a client error.
func TestTraceSpansInvalid(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range []string{"", "xyz", "0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef00"} {
		if _, err := s.Trace(context.Background(), id); !errors.Is(err, store.ErrInvalidArgument) {
			t.Errorf("Trace(%q): %v, want ErrInvalidArgument", id, err)
		}
	}
}
