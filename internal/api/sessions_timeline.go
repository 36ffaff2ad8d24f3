package api

import (
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// timeline turns a session's RUM spans and log records into timeline
// entries, oldest first. Highlighted are navigations, errors and failed
// requests (HyperDX's "Highlighted" view).
func timeline(spans, logs []store.Row) []timelineEntry {
	out := make([]timelineEntry, 0, len(spans)+len(logs))
	for _, row := range spans {
		out = append(out, spanEntry(row))
	}
	for _, row := range logs {
		out = append(out, logEntry(row))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp.Before(out[j].Timestamp) })
	return out
}

func rowString(row store.Row, col string) string {
	s, _ := row[col].(string)
	return s
}

func rowAttr(row store.Row, col, key string) string {
	m, _ := row[col].(map[string]string)
	return m[key]
}

func rowTime(row store.Row, col string) time.Time {
	t, _ := row[col].(time.Time)
	return t
}

func spanEntry(row store.Row) timelineEntry {
	attr := func(k string) string { return rowAttr(row, "SpanAttributes", k) }
	e := timelineEntry{
		Timestamp: rowTime(row, "Timestamp"),
		Name:      rowString(row, "SpanName"),
		TraceID:   rowString(row, "TraceId"),
		SpanID:    rowString(row, "SpanId"),
		Source:    "traces",
		Kind:      "span",
		Error:     rowString(row, "StatusCode") == "Error",
	}
	if d, ok := row["Duration"].(uint64); ok {
		e.DurationMs = float64(d) / 1e6
	}
	switch comp := attr("component"); {
	case e.Name == "documentLoad" || e.Name == "routeChange" || comp == "document-load" && e.Name == "documentLoad":
		e.Kind, e.URL = "navigation", first(attr("location.href"), attr("http.url"))
		e.Highlighted = true
	case comp == "fetch" || comp == "xml-http-request":
		e.Kind = "request"
		e.Method, e.URL = first(attr("http.method"), attr("http.request.method")), first(attr("http.url"), attr("url.full"))
		e.Status, _ = strconv.Atoi(first(attr("http.status_code"), attr("http.response.status_code")))
		if e.Status >= 400 || e.Status == 0 && attr("error") != "" {
			e.Error = true
		}
		e.Highlighted = e.Error
	case comp == "user-interaction":
		e.Kind = "click"
		e.Message = first(attr("target_element"), attr("target_xpath"))
	case comp == "console":
		e.Kind, e.Message = "console", attr("message")
		e.Error = e.Error || attr("level") == "error"
		e.Highlighted = e.Error
	case comp == "error" || e.Name == "error" || e.Name == "onerror" || e.Name == "unhandledrejection":
		e.Kind, e.Message = "exception", first(attr("error.message"), attr("exception.message"), attr("message"))
		e.Error, e.Highlighted = true, true
	case e.Name == "resourceFetch" || e.Name == "documentFetch":
		e.Kind, e.URL = "resource", attr("http.url")
	default:
		e.Highlighted = e.Error
	}
	return e
}

func logEntry(row store.Row) timelineEntry {
	sev, _ := row["SeverityNumber"].(uint64)
	e := timelineEntry{
		Timestamp: rowTime(row, "Timestamp"),
		Kind:      "log",
		Name:      rowString(row, "SeverityText"),
		Message:   rowString(row, "Body"),
		TraceID:   rowString(row, "TraceId"),
		SpanID:    rowString(row, "SpanId"),
		Source:    "logs",
		Error:     sev >= 17, // ERROR and above
	}
	e.Highlighted = e.Error
	return e
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

var (
	reEdge    = regexp.MustCompile(`Edg/(\d+)`)
	reFirefox = regexp.MustCompile(`Firefox/(\d+)`)
	reChrome  = regexp.MustCompile(`(?:HeadlessChrome|Chrome|Chromium)/(\d+)`)
	reSafari  = regexp.MustCompile(`Version/(\d+)[.\d]* .*Safari/`)
)

// browserOf names the browser of a user agent: "Chrome 131", "Firefox 133";
// the user agent itself when it is none of the common ones.
func browserOf(ua string) string {
	for _, b := range []struct {
		name string
		re   *regexp.Regexp
	}{{"Edge", reEdge}, {"Firefox", reFirefox}, {"Chrome", reChrome}, {"Safari", reSafari}} {
		if m := b.re.FindStringSubmatch(ua); m != nil {
			return b.name + " " + m[1]
		}
	}
	return ua
}
