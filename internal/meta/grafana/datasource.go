package grafana

import (
	"encoding/json"
	"strings"
)

// datasourceType resolves a panel's or target's datasource reference
// (null, a name, "${DS_X}", "$var", or {"type","uid"}) to a plugin type
// and a name for messages. The type is "" when unknown: a default
// datasource, or a name that says nothing (the query is then taken as
// PromQL and validated as such).
func (c *converter) datasourceType(raw json.RawMessage) (typ, name string) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", ""
	}
	var obj struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	if json.Unmarshal(raw, &obj) == nil && (obj.Type != "" || obj.UID != "") {
		if obj.Type != "" && !strings.HasPrefix(obj.Type, "$") {
			return normalizeType(obj.Type, obj.UID), orUnknown(obj.UID)
		}
		return c.datasourceByName(obj.UID)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", ""
	}
	return c.datasourceByName(s)
}

func (c *converter) datasourceByName(s string) (typ, name string) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "default":
		return "", s
	case "-- Mixed --":
		return "mixed", s
	case "-- Grafana --", "grafana":
		return "grafana", s
	case "-- Dashboard --":
		return "dashboard", s
	}
	if v, ok := varName(s); ok {
		if id, ok := c.inputs[v]; ok {
			return normalizeType(id, s), s
		}
		if id, ok := c.dsVars[v]; ok {
			return normalizeType(id, s), s
		}
		return "", s
	}
	return typeFromName(s), s
}

// varName reads "$x", "${x}" or "[[x]]".
func varName(s string) (string, bool) {
	switch {
	case strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}"):
		n, _, _ := strings.Cut(s[2:len(s)-1], ":")
		return n, true
	case strings.HasPrefix(s, "[[") && strings.HasSuffix(s, "]]"):
		return s[2 : len(s)-2], true
	case strings.HasPrefix(s, "$"):
		return s[1:], true
	}
	return "", false
}

// normalizeType maps Grafana's special datasource types.
func normalizeType(typ, uid string) string {
	switch {
	case typ == "datasource" && uid == "grafana":
		return "grafana"
	case typ == "datasource" && uid == "-- Mixed --", typ == "mixed":
		return "mixed"
	case typ == "datasource" && uid == "-- Dashboard --":
		return "dashboard"
	case typ == "__expr__":
		return "expression"
	}
	return typ
}

// isPrometheus: plugin types that speak PromQL.
func isPrometheus(typ string) bool {
	t := strings.ToLower(typ)
	return strings.Contains(t, "prometheus") || t == "victoriametrics-datasource" || t == "victoriametrics-metrics-datasource"
}

// typeFromName guesses a datasource's type from its display name; ""
// when the name does not say.
func typeFromName(name string) string {
	n := strings.ToLower(name)
	for _, k := range []struct{ sub, typ string }{
		{"prometheus", "prometheus"}, {"mimir", "prometheus"}, {"thanos", "prometheus"}, {"cortex", "prometheus"},
		{"victoria", "prometheus"}, {"prom", "prometheus"},
		{"loki", "loki"}, {"elastic", "elasticsearch"}, {"opensearch", "opensearch"}, {"influx", "influxdb"},
		{"graphite", "graphite"}, {"tempo", "tempo"}, {"jaeger", "jaeger"}, {"zipkin", "zipkin"},
		{"mysql", "mysql"}, {"postgres", "postgres"}, {"clickhouse", "clickhouse"}, {"cloudwatch", "cloudwatch"},
		{"testdata", "testdata"}, {"pyroscope", "pyroscope"},
	} {
		if strings.Contains(n, k.sub) {
			return k.typ
		}
	}
	return ""
}
