package ui

import (
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"regexp"
)

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// InlineScriptHashes are the Content-Security-Policy hashes
// ("sha256-...") of index.html's inline scripts (the colour-scheme
// script), so the CSP can allow them and no other inline script.
func InlineScriptHashes() []string {
	index, err := fs.ReadFile(dist, "dist/index.html")
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range inlineScript.FindAllSubmatch(index, -1) {
		sum := sha256.Sum256(m[1])
		out = append(out, "sha256-"+base64.StdEncoding.EncodeToString(sum[:]))
	}
	return out
}
