package routingconnector

import (
	"context"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pipeline"
)

var (
	pDefault  = pipeline.NewIDWithName(pipeline.SignalLogs, "default")
	pSessions = pipeline.NewIDWithName(pipeline.SignalLogs, "sessions")
)

// testLogs: two resources (service a and b), each with one scope of
// three records: a recording event (rr-web.event), a plain log, and a
// record whose body is "abc".
func testLogs() plog.Logs {
	ld := plog.NewLogs()
	for _, svc := range []string{"a", "b"} {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", svc)
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName("scope-" + svc)
		lr := sl.LogRecords().AppendEmpty()
		lr.Attributes().PutStr("rr-web.event", "2")
		lr.Body().SetStr(svc + "-rec")
		sl.LogRecords().AppendEmpty().Body().SetStr(svc + "-plain")
		sl.LogRecords().AppendEmpty().Body().SetStr("abc")
	}
	return ld
}

// bodies lists "<service>/<scope>/<body>" of every record the sink got.
func bodies(s *consumertest.LogsSink) []string {
	var out []string
	for _, ld := range s.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			svc, _ := rl.Resource().Attributes().Get("service.name")
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				sl := rl.ScopeLogs().At(j)
				for k := 0; k < sl.LogRecords().Len(); k++ {
					out = append(out, svc.Str()+"/"+sl.Scope().Name()+"/"+sl.LogRecords().At(k).Body().Str())
				}
			}
		}
	}
	return out
}

func TestRouting(t *testing.T) {
	sessionsRoute := RoutingTableItem{Context: ContextLog, Statement: `route() where attributes["rr-web.event"] != nil`, Pipelines: []pipeline.ID{pSessions}}
	for _, tc := range []struct {
		name         string
		cfg          Config
		wantSessions []string
		wantDefault  []string
		wantErr      string
	}{
		{
			name:         "default configuration's table: recordings to sessions, the rest to default",
			cfg:          Config{DefaultPipelines: []pipeline.ID{pDefault}, ErrorMode: ottl.IgnoreError, Table: []RoutingTableItem{sessionsRoute}},
			wantSessions: []string{"a/scope-a/a-rec", "b/scope-b/b-rec"},
			wantDefault:  []string{"a/scope-a/a-plain", "a/scope-a/abc", "b/scope-b/b-plain", "b/scope-b/abc"},
		},
		{
			name: "resource context (the default context) routes whole resources",
			cfg: Config{DefaultPipelines: []pipeline.ID{pDefault}, Table: []RoutingTableItem{
				{Condition: `attributes["service.name"] == "b"`, Pipelines: []pipeline.ID{pSessions}},
			}},
			wantSessions: []string{"b/scope-b/b-rec", "b/scope-b/b-plain", "b/scope-b/abc"},
			wantDefault:  []string{"a/scope-a/a-rec", "a/scope-a/a-plain", "a/scope-a/abc"},
		},
		{
			name: "first match in table order wins: the log route before the resource route",
			cfg: Config{DefaultPipelines: []pipeline.ID{pDefault}, Table: []RoutingTableItem{
				{Context: ContextLog, Condition: `body == "abc"`, Pipelines: []pipeline.ID{pDefault}},
				{Condition: `attributes["service.name"] == "b"`, Pipelines: []pipeline.ID{pSessions}},
			}},
			wantSessions: []string{"b/scope-b/b-rec", "b/scope-b/b-plain"},
			wantDefault:  []string{"a/scope-a/abc", "b/scope-b/abc", "a/scope-a/a-rec", "a/scope-a/a-plain"},
		},
		{
			name: "every record to one route: the batch is passed on whole",
			cfg: Config{DefaultPipelines: []pipeline.ID{pDefault}, Table: []RoutingTableItem{
				{Context: ContextLog, Condition: `body != nil`, Pipelines: []pipeline.ID{pSessions}},
			}},
			wantSessions: []string{"a/scope-a/a-rec", "a/scope-a/a-plain", "a/scope-a/abc", "b/scope-b/b-rec", "b/scope-b/b-plain", "b/scope-b/abc"},
		},
		{
			name: "nothing matches and no default_pipelines: everything is dropped",
			cfg:  Config{Table: []RoutingTableItem{{Condition: `attributes["service.name"] == "c"`, Pipelines: []pipeline.ID{pSessions}}}},
		},
		{
			name:         "no default_pipelines: unmatched records are dropped",
			cfg:          Config{Table: []RoutingTableItem{sessionsRoute}},
			wantSessions: []string{"a/scope-a/a-rec", "b/scope-b/b-rec"},
		},
		{
			name: "error_mode ignore: a failing condition is no match",
			cfg: Config{DefaultPipelines: []pipeline.ID{pDefault}, ErrorMode: ottl.IgnoreError, Table: []RoutingTableItem{
				{Context: ContextLog, Condition: `Substring(body, 0, 4) == "a-re"`, Pipelines: []pipeline.ID{pSessions}},
			}},
			wantSessions: []string{"a/scope-a/a-rec"},
			wantDefault:  []string{"a/scope-a/a-plain", "a/scope-a/abc", "b/scope-b/b-rec", "b/scope-b/b-plain", "b/scope-b/abc"},
		},
		{
			name: "error_mode propagate: a failing condition fails the batch",
			cfg: Config{DefaultPipelines: []pipeline.ID{pDefault}, ErrorMode: ottl.PropagateError, Table: []RoutingTableItem{
				{Context: ContextLog, Condition: `Substring(body, 0, 4) == "a-re"`, Pipelines: []pipeline.ID{pSessions}},
			}},
			wantErr: `table[0] condition "Substring(body, 0, 4) == \"a-re\""`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			var sessions, def consumertest.LogsSink
			router := connector.NewLogsRouter(map[pipeline.ID]consumer.Logs{pSessions: &sessions, pDefault: &def})
			c, err := NewFactory().CreateLogsToLogs(context.Background(), connectortest.NewNopSettings(Type), &tc.cfg, router)
			if err != nil {
				t.Fatal(err)
			}
			err = c.ConsumeLogs(context.Background(), testLogs())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %s", err, tc.wantErr)
				}
				if sessions.LogRecordCount()+def.LogRecordCount() != 0 {
					t.Errorf("a failed batch delivered %d records", sessions.LogRecordCount()+def.LogRecordCount())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := bodies(&sessions); strings.Join(got, ",") != strings.Join(tc.wantSessions, ",") {
				t.Errorf("sessions got %v, want %v", got, tc.wantSessions)
			}
			if got := bodies(&def); strings.Join(got, ",") != strings.Join(tc.wantDefault, ",") {
				t.Errorf("default got %v, want %v", got, tc.wantDefault)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	p := []pipeline.ID{pSessions}
	for _, tc := range []struct {
		name  string
		table []RoutingTableItem
		want  string
	}{
		{"empty table", nil, "`table` is empty"},
		{"both statement and condition", []RoutingTableItem{{Statement: `route() where true`, Condition: "true", Pipelines: p}}, "sets both statement and condition"},
		{"neither", []RoutingTableItem{{Pipelines: p}}, "neither statement nor condition"},
		{"statement not route()", []RoutingTableItem{{Statement: `set(attributes["x"], 1)`, Pipelines: p}}, "only `route() where <condition>`"},
		{"statement without where", []RoutingTableItem{{Statement: `route()`, Pipelines: p}}, "has no `where <condition>`"},
		{"unknown context", []RoutingTableItem{{Context: "request", Condition: "true", Pipelines: p}}, `context "request" is not supported`},
		{"no pipelines", []RoutingTableItem{{Condition: "true"}}, "has no pipelines"},
		{"condition does not parse", []RoutingTableItem{{Context: ContextLog, Condition: `attributes["x" ==`, Pipelines: p}}, "table[0] (context log)"},
		{"unknown path in the context", []RoutingTableItem{{Condition: `body == "x"`, Pipelines: p}}, "table[0] (context resource)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := (&Config{Table: tc.table}).Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
