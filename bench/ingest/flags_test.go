package main

import (
	"io"
	"reflect"
	"testing"
)

// TestServerSetFlag: -server-set repeats and goes with -binary only.
func TestServerSetFlag(t *testing.T) {
	tests := []struct {
		args    []string
		want    []string
		wantErr bool
	}{
		{[]string{"-binary", "x"}, nil, false},
		{[]string{"-binary", "x", "-server-set", "a=1", "-server-set", "service::pipelines::traces::exporters=[overlook]"},
			[]string{"a=1", "service::pipelines::traces::exporters=[overlook]"}, false},
		{[]string{"-target", "127.0.0.1:4317", "-server-set", "a=1"}, nil, true},
	}
	for _, tt := range tests {
		o, err := parseFlags(tt.args, io.Discard)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: error %v, want error %v", tt.args, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !reflect.DeepEqual(o.serverSets, tt.want) {
			t.Errorf("%q: server sets %q, want %q", tt.args, o.serverSets, tt.want)
		}
	}
}
