package overlookext

import "testing"

func TestPromRoute(t *testing.T) {
	for in, want := range map[string]string{
		"/prometheus/api/v1/query_range":       "/prometheus/api/v1/query_range",
		"/prometheus/api/v1/label/job/values":  "/prometheus/api/v1/label/{name}/values",
		"/prometheus/api/v1/label/a/b/values":  "/prometheus/api/v1/label/{name}/values",
		"/prometheus/api/v1/label/job/valuesx": "/prometheus/api/v1/label/job/valuesx",
	} {
		if got := promRoute(in); got != want {
			t.Errorf("promRoute(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSelfTelemetryConfig(t *testing.T) {
	c := SelfTelemetryConfig{}
	if c.Service() != "overlook" || c.Validate() != nil {
		t.Errorf("defaults: %q %v", c.Service(), c.Validate())
	}
	c = SelfTelemetryConfig{ServiceName: "ovl", ScrapeInterval: 500_000_000}
	if c.Service() != "ovl" || c.Validate() == nil {
		t.Errorf("own name / sub-second interval: %q %v", c.Service(), c.Validate())
	}
}
