package meta

// overlookSelf charts overlook's own /metrics, as self-telemetry scrapes
// them (extensions::overlook::self_telemetry, docs/self-monitoring.md) or
// as any Prometheus that scrapes overlook stores them: the $job variable
// picks the scrape job (self-telemetry's is the service name, "overlook").
// examples/overlook/self_rules.yml alerts on the same series.
func overlookSelf() Dashboard {
	tile := func(name, display string, x, y, w, h int, queries ...PromQuery) Tile {
		return Tile{X: x, Y: y, W: w, H: h, Config: TileConfig{Name: name, Source: SourcePromQL, DisplayType: display,
			Select: []Select{}, Queries: queries}}
	}
	bytes := &NumberFormat{Output: "byte"}
	t := []Tile{
		tile("Ingest rate (rows/s)", "line", 0, 0, 12, 8, PromQuery{
			Expr:   `sum by (signal) (rate(overlook_ingested_rows_total{job=~"$job"}[$__rate_interval]))`,
			Legend: "{{signal}}"}),
		tile("Refusals (items/s, requests/s)", "line", 12, 0, 12, 8,
			PromQuery{Expr: `sum by (signal) (rate(overlook_receiver_items_total{job=~"$job",outcome="refused"}[$__rate_interval]))`,
				Legend: "refused {{signal}} items"},
			PromQuery{Expr: `sum by (reason) (rate(overlook_ingest_refused_total{job=~"$job"}[$__rate_interval]))`,
				Legend: "guard: {{reason}}"},
			PromQuery{Expr: `sum by (signal, reason) (rate(overlook_store_errors_total{job=~"$job"}[$__rate_interval]))`,
				Legend: "store {{signal}}: {{reason}}"},
			// Refused before decoding (ingest::max_inflight_bytes): no item
			// count is known, so these are requests/s.
			PromQuery{Expr: `sum by (transport) (rate(overlook_ingest_inflight_refused_total{job=~"$job"}[$__rate_interval]))`,
				Legend: "in flight, requests {{transport}}"}),
		tile("Commit latency p95 (s)", "line", 0, 8, 12, 8, PromQuery{
			Expr:   `histogram_quantile(0.95, sum by (le, signal) (rate(overlook_export_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))`,
			Legend: "{{signal}}"}),
		tile("Query latency p95 (s)", "line", 12, 8, 12, 8, PromQuery{
			Expr:   `histogram_quantile(0.95, sum by (le, endpoint) (rate(overlook_query_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))`,
			Legend: "{{endpoint}}"}),
		tile("Disk headroom above the floor", "line", 0, 16, 12, 8, PromQuery{
			Expr: `min by (instance) (overlook_store_disk_free_bytes{job=~"$job"} + overlook_store_file_free_bytes{job=~"$job"}` +
				` - overlook_store_min_free_disk_bytes{job=~"$job"})`,
			Legend: "{{instance}}"}),
		tile("Store on disk", "number", 12, 16, 6, 4, PromQuery{Expr: `sum(overlook_store_disk_bytes{job=~"$job"})`}),
		tile("Store healthy (1 = takes writes)", "number", 18, 16, 6, 4, PromQuery{Expr: `min(overlook_store_healthy{job=~"$job"})`}),
		tile("API errors (5xx/s)", "line", 12, 20, 12, 4, PromQuery{
			Expr:   `sum by (endpoint) (rate(overlook_http_requests_total{job=~"$job",code=~"5.."}[$__rate_interval]))`,
			Legend: "{{endpoint}}"}),
		tile("Rule evaluation failures (/s)", "line", 0, 24, 24, 8, PromQuery{
			Expr:   `sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total{job=~"$job"}[$__rate_interval]))`,
			Legend: "{{rule_group}}"}),
	}
	t[5].Config.NumberFormat = bytes
	return Dashboard{Name: "overlook", Tags: []string{"prepared", "overlook", "self-monitoring"}, TimeRange: "1h", Tiles: t,
		Variables: []Variable{{Name: "job", Label: "Job", Type: "label_values", LabelName: "job",
			Match: "overlook_http_requests_total", Current: []string{"overlook"}}}}
}
