package distro

import (
	"context"
	"reflect"
	"testing"
)

// TestSessionsRouting: the default configuration routes the logs pipeline
// through routing/sessions (recordings to overlook/sessions, the rest to
// overlook); a user who sets the logs pipeline's exporters directly turns
// the routing off and its pipelines are dropped, so the configuration
// stays valid.
func TestSessionsRouting(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		sets          []string
		wantExporters []any
		wantRouted    bool
	}{
		{"default", nil, []any{"routing/sessions"}, true},
		{"user logs exporters", []string{"service::pipelines::logs::exporters=[overlook]"}, []any{"overlook"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Sources{Sets: tc.sets}
			conf, err := Resolve(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := conf.Get("service::pipelines::logs::exporters"); !reflect.DeepEqual(got, tc.wantExporters) {
				t.Errorf("logs exporters = %v, want %v", got, tc.wantExporters)
			}
			for _, p := range []string{"logs/default", "logs/sessions"} {
				if got := conf.IsSet("service::pipelines::" + p); got != tc.wantRouted {
					t.Errorf("%s present = %v, want %v", p, got, tc.wantRouted)
				}
			}
			if got := conf.Get("exporters::overlook/sessions::logs_table_name"); got != "hyperdx_sessions" {
				t.Errorf("overlook/sessions logs_table_name = %v", got)
			}
			if err := Validate(ctx, s); err != nil {
				t.Fatalf("configuration invalid: %v", err)
			}
		})
	}
}
