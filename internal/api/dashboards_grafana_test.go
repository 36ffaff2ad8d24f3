package api

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

func TestGrafanaImportAPI(t *testing.T) {
	srv := newDashboardServer(t)
	base := srv.URL + "/api/dashboards"
	seed, err := os.ReadFile("../meta/grafana/testdata/qmtl_gateway_legacy.json")
	if err != nil {
		t.Fatal(err)
	}
	code, body := call(t, "POST", base+"/import/grafana", string(seed))
	if code != http.StatusCreated {
		t.Fatalf("import: %d %s", code, body)
	}
	var res grafanaImport
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if res.Dashboard.ID == "" || res.Dashboard.Name != "QMTL Gateway (legacy)" || len(res.Dashboard.Tiles) != 4 || len(res.Unmapped) != 5 {
		t.Fatalf("imported %+v, unmapped %+v", res.Dashboard, res.Unmapped)
	}
	// The stored dashboard keeps the PromQL tiles and variables, and saves
	// back through PUT unchanged (the UI's save path).
	code, body = call(t, "GET", base+"/"+res.Dashboard.ID, "")
	if code != 200 || !strings.Contains(body, `"source":"promql"`) || !strings.Contains(body, `"expr":"sum(increase(lost_requests_total[1h]))"`) ||
		!strings.Contains(body, `"variables":[{"name":"instance","type":"label_values"`) {
		t.Fatalf("get: %d %s", code, body)
	}
	code, body = call(t, "PUT", base+"/"+res.Dashboard.ID, body)
	if code != 200 {
		t.Fatalf("put: %d %s", code, body)
	}

	cases := []struct {
		name, body string
		code       int
		want       string
	}{
		{"not json", `{`, 400, "invalid Grafana dashboard: not a JSON object"},
		{"not a dashboard", `{"hello":1}`, 400, "no title, panels or rows"},
		{"wrapped, all mapped", `{"dashboard":{"title":"W","panels":[{"type":"stat","targets":[{"expr":"up"}]}]}}`, 201, `"unmapped":[]`},
		{"too large", `{"title":"` + strings.Repeat("x", maxImportBytes) + `"}`, 413, "larger than"},
		{"promql tile without queries", "", 400, "a promql tile needs at least one query"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			url := base + "/import/grafana"
			method, body := "POST", c.body
			if body == "" {
				url, body = base, `{"name":"x","tiles":[{"config":{"source":"promql"}}]}`
			}
			code, got := call(t, method, url, body)
			if code != c.code || !strings.Contains(got, c.want) {
				t.Errorf("%d %.300s, want %d containing %q", code, got, c.code, c.want)
			}
		})
	}
}
