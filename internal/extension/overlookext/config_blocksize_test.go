package overlookext

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
)

// TestBlockSizeConfig: storage::block_size takes a size with a unit, a
// power of two from 16KiB to 256KiB; anything else is refused by name.
func TestBlockSizeConfig(t *testing.T) {
	for _, tc := range []struct {
		in    string
		bytes int
		want  string // "" valid
	}{
		{"", 0, ""},
		{"64KiB", 64 << 10, ""},
		{"16KiB", 16 << 10, ""},
		{"256KiB", 256 << 10, ""},
		{"48KiB", 0, `storage::block_size: "48KiB" is not a power of two from 16KiB to 256KiB`},
		{"1MiB", 0, "storage::block_size"},
		{"8KiB", 0, "storage::block_size"},
		{"big", 0, "storage::block_size"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			c := createDefaultConfig()
			c.Storage.BlockSize = tc.in
			err := confmap.Validate(c)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("invalid: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if tc.want == "" {
				if n, err := c.Storage.blockSize(); err != nil || n != tc.bytes {
					t.Errorf("blockSize() = %d, %v; want %d", n, err, tc.bytes)
				}
			}
		})
	}
}
