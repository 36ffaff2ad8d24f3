package search

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"text/template"
	"time"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
	"github.com/overlook-dev/overlook/internal/meta"
)

// DefaultMessage is the message template of alerts that set none.
const DefaultMessage = `{{.Name}}: {{.Value}} {{.Condition}} in the last {{.Interval}}` +
	`{{range $k, $v := .Group}} {{$k}}={{$v}}{{end}}{{if .Link}} {{.Link}}{{end}}`

// MessageData is what an alert's message template is executed over.
type MessageData struct {
	Name          string
	Status        string // firing or resolved
	Value         float64
	Threshold     float64
	ThresholdType string
	// Condition is the comparison in words: "at or above 10".
	Condition string
	Interval  string
	Group     map[string]string
	Source    string
	Query     string
	Link      string
}

func sampleData() MessageData {
	return MessageData{Name: "sample", Status: notify.StatusFiring, Value: 1, Threshold: 1,
		ThresholdType: "above", Condition: "at or above 1", Interval: "1m", Group: map[string]string{"ServiceName": "api"}, Link: "http://localhost/"}
}

// Link is the UI page an alert's notices link back to: the search (source,
// query and language, over the last hour) or the tile's dashboard. base
// is the server's external URL, else the alert's LinkBase.
func Link(a *meta.Alert, base string) string {
	if base == "" {
		base = a.LinkBase
	}
	if base == "" {
		return ""
	}
	base = strings.TrimRight(base, "/")
	if isTile(a) {
		return base + "/dashboards/" + url.PathEscape(a.DashboardID) + "?tile=" + url.QueryEscape(a.TileID)
	}
	q := url.Values{}
	q.Set("source", a.Source)
	if a.Query != "" {
		q.Set("q", a.Query)
	}
	if a.WhereLanguage == "sql" {
		q.Set("lang", "sql")
	}
	q.Set("range", "1h")
	return base + "/search?" + q.Encode()
}

// notice builds the Message for instances of one status.
func notice(a *meta.Alert, status, base string, instances []meta.AlertInstance, now time.Time) notify.Message {
	link := Link(a, base)
	alerts := make([]notify.Alert, 0, len(instances))
	for _, in := range instances {
		labels := labelsOf(a, in.Group)
		text := render(a, MessageData{Name: a.Name, Status: status, Value: in.Value, Threshold: a.Threshold,
			ThresholdType: a.ThresholdType, Condition: condition(a), Interval: a.Interval, Group: in.Group, Source: a.Source, Query: a.Query, Link: link})
		na := notify.Alert{Status: status, Labels: labels, StartsAt: in.Since.UTC(), GeneratorURL: link,
			Fingerprint: notify.Fingerprint(labels),
			Annotations: map[string]string{
				"summary":     summary(a, status, in.Value),
				"description": text,
				"message":     text,
			}}
		if status == notify.StatusResolved {
			na.EndsAt = now.UTC()
		}
		alerts = append(alerts, na)
	}
	ext := base
	if ext == "" {
		ext = a.LinkBase
	}
	return notify.NewMessage("overlook/"+a.Name, status, ext, map[string]string{"alertname": a.Name}, alerts)
}

// withLabels adds labels to every alert of m (a label of the alert's own
// with the same name is overwritten: the tenant is not the alert's to
// choose).
func withLabels(m *notify.Message, labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	for i := range m.Alerts {
		l := maps.Clone(m.Alerts[i].Labels)
		maps.Copy(l, labels)
		m.Alerts[i].Labels = l
		m.Alerts[i].Fingerprint = notify.Fingerprint(l)
	}
	common := maps.Clone(m.CommonLabels)
	if common == nil {
		common = map[string]string{}
	}
	maps.Copy(common, labels)
	m.CommonLabels = common
}

func summary(a *meta.Alert, status string, v float64) string {
	if status == notify.StatusResolved {
		return fmt.Sprintf("%s resolved: %s (fires when %s)", a.Name, fmtValue(v), condition(a))
	}
	return fmt.Sprintf("%s is firing: %s is %s", a.Name, fmtValue(v), condition(a))
}

// labelsOf are a notice's labels: alertname, the alert's ID and source or
// tile, its own labels, and the instance's group values.
func labelsOf(a *meta.Alert, group map[string]string) map[string]string {
	l := map[string]string{}
	maps.Copy(l, a.Labels)
	maps.Copy(l, group)
	l["alertname"] = a.Name
	l["alert_id"] = a.ID
	if isTile(a) {
		l["dashboard_id"], l["tile_id"] = a.DashboardID, a.TileID
	} else {
		l["source"] = a.Source
	}
	return l
}

func render(a *meta.Alert, d MessageData) string {
	src := a.Message
	if src == "" {
		src = DefaultMessage
	}
	t, err := template.New("message").Option("missingkey=zero").Parse(src)
	if err != nil {
		return fmt.Sprintf("%s (message template: %v)", summary(a, d.Status, d.Value), err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return fmt.Sprintf("%s (message template: %v)", summary(a, d.Status, d.Value), err)
	}
	return b.String()
}

// TestMessage is the notice "send test notification" delivers.
func TestMessage(a *meta.Alert, base string, now time.Time) notify.Message {
	in := meta.AlertInstance{Group: map[string]string{}, State: StateAlert, Value: a.Threshold, Since: now}
	m := notice(a, notify.StatusFiring, base, []meta.AlertInstance{in}, now)
	for i := range m.Alerts {
		m.Alerts[i].Labels["test"] = "true"
		m.Alerts[i].Annotations["summary"] = "Test notification from overlook for alert " + a.Name
	}
	m.CommonLabels["test"] = "true"
	m.CommonAnnotations["summary"] = m.Alerts[0].Annotations["summary"]
	return m
}
