package overrides

import (
	"testing"
	"time"
)

func TestFor(t *testing.T) {
	c := Config{
		Defaults: Limits{Ingestion: Ingestion{SpansPerSecond: 1000, SpansBurst: 2000}, MaxAttributes: 128,
			Retention: Retention{Traces: 72 * time.Hour}},
		Tenants: map[string]Limits{
			"big":   {Ingestion: Ingestion{SpansPerSecond: 50000}, MaxAttributes: -1},
			"short": {Retention: Retention{Traces: time.Hour, Logs: 2 * time.Hour}},
		},
	}
	for _, tc := range []struct {
		tenant string
		want   Limits
	}{
		{"other", Limits{Ingestion: Ingestion{SpansPerSecond: 1000, SpansBurst: 2000}, MaxAttributes: 128,
			Retention: Retention{Traces: 72 * time.Hour}}},
		{"big", Limits{Ingestion: Ingestion{SpansPerSecond: 50000, SpansBurst: 2000},
			Retention: Retention{Traces: 72 * time.Hour}}},
		{"short", Limits{Ingestion: Ingestion{SpansPerSecond: 1000, SpansBurst: 2000}, MaxAttributes: 128,
			Retention: Retention{Traces: time.Hour, Logs: 2 * time.Hour}}},
	} {
		if got := c.For(tc.tenant); got != tc.want {
			t.Errorf("For(%q) = %+v, want %+v", tc.tenant, got, tc.want)
		}
	}
}
