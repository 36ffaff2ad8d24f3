package storeexporter

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/overlook-dev/overlook/internal/telemetry"
)

func TestDefaultConfig(t *testing.T) {
	for _, typ := range []component.Type{Type, ClickHouseType} {
		f := NewFactory(typ, telemetry.New())
		if f.Type() != typ {
			t.Errorf("factory type %s, want %s", f.Type(), typ)
		}
		cfg := f.CreateDefaultConfig().(*Config)
		if cfg.Timeout != 30*time.Second {
			t.Errorf("%s: default timeout %s, want 30s (longer than a checkpoint stall)", typ, cfg.Timeout)
		}
		if cfg.Extension.String() != "overlook" {
			t.Errorf("%s: default extension %s, want overlook", typ, cfg.Extension)
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: default config invalid: %v", typ, err)
		}
		cfg.Timeout = -time.Second
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: negative timeout accepted", typ)
		}
	}
}
