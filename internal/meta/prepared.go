package meta

// Prepared returns the dashboards seeded on first start, keyed by a stable
// name recorded in the store so each is created once.
func Prepared() map[string]Dashboard {
	return map[string]Dashboard{
		"services-red":   servicesRED(),
		"temporal-cloud": temporalCloud(),
		"overlook":       overlookSelf(),
	}
}

// servicesRED: rate, error rate and duration per service, from otel_traces.
func servicesRED() Dashboard {
	byService := []string{"ServiceName"}
	return Dashboard{Name: "Services (RED)", Tags: []string{"prepared", "traces"}, TimeRange: "1h", Tiles: []Tile{
		{X: 0, Y: 0, W: 12, H: 8, Config: TileConfig{Name: "Request rate (server spans)", Source: "traces", DisplayType: "line",
			Select: []Select{{AggFn: "count", Alias: "requests"}}, Where: "SpanKind:\"Server\"", WhereLanguage: "lucene",
			GroupBy: byService, Granularity: "auto"}},
		{X: 12, Y: 0, W: 12, H: 8, Config: errorRate(byService)},
		{X: 0, Y: 8, W: 12, H: 8, Config: TileConfig{Name: "p95 duration (server spans)", Source: "traces", DisplayType: "line",
			Select: []Select{{AggFn: "p95", ValueExpression: "Duration", Alias: "p95"}}, Where: "SpanKind:\"Server\"",
			WhereLanguage: "lucene", GroupBy: byService, Granularity: "auto"}},
		// The table counts server spans like the other tiles (a service's
		// client spans would double its requests), and its p95 column has no
		// unit in its name: the UI shows durations with their unit (40 ms).
		{X: 12, Y: 8, W: 12, H: 8, Config: TileConfig{Name: "Per service (server spans)", Source: "traces", DisplayType: "table",
			Select: []Select{
				{AggFn: "count", Alias: "requests"},
				{AggFn: "count", Alias: "errors", AggCondition: "StatusCode:\"Error\"", AggConditionLanguage: "lucene"},
				{AggFn: "p95", ValueExpression: "Duration", Alias: "p95 duration"},
			}, Where: "SpanKind:\"Server\"", WhereLanguage: "lucene", GroupBy: byService}},
	}}
}

// errorRate is the RED error tile: the share of server spans with status
// Error per service (errors / requests as a ratio chart), shown in percent.
func errorRate(groupBy []string) TileConfig {
	return TileConfig{Name: "Error rate (server spans)", Source: "traces", DisplayType: "line",
		Select: []Select{
			{AggFn: "count", Alias: "errors", AggCondition: "StatusCode:\"Error\"", AggConditionLanguage: "lucene"},
			{AggFn: "count", Alias: "requests"},
		}, SeriesReturnType: "ratio", NumberFormat: &NumberFormat{Output: "percent", Mantissa: ptr(2)},
		Where: "SpanKind:\"Server\"", WhereLanguage: "lucene", GroupBy: groupBy, Granularity: "auto"}
}

func ptr[T any](v T) *T { return &v }

// temporalCloud charts the Temporal Cloud OpenMetrics (seed 000), which
// arrive as per-second gauges from the prometheus receiver.
func temporalCloud() Dashboard {
	g := func(name, metric, agg string, x, y int, group ...string) Tile {
		return Tile{X: x, Y: y, W: 12, H: 8, Config: TileConfig{Name: name, Source: "metrics", DisplayType: "line",
			Select:  []Select{{AggFn: agg, ValueExpression: "Value", MetricName: metric, MetricType: "gauge"}},
			GroupBy: group, Granularity: "auto"}}
	}
	return Dashboard{Name: "Temporal Cloud", Tags: []string{"prepared", "temporal"}, TimeRange: "6h", Tiles: []Tile{
		g("Workflow successes /s", "temporal_cloud_v1_workflow_success_count", "sum", 0, 0, "temporal_namespace"),
		g("Workflow failures /s", "temporal_cloud_v1_workflow_failed_count", "sum", 12, 0, "temporal_namespace"),
		g("Poll timeouts /s", "temporal_cloud_v1_poll_timeout_count", "sum", 0, 8, "temporal_task_queue"),
		g("Poll successes /s", "temporal_cloud_v1_poll_success_count", "sum", 12, 8, "temporal_task_queue"),
		g("Actions /s", "temporal_cloud_v1_total_action_count", "sum", 0, 16, "temporal_namespace"),
		g("Service latency p99 (s)", "temporal_cloud_v1_service_latency_p99", "max", 12, 16, "operation"),
		g("Frontend requests /s", "temporal_cloud_v1_frontend_service_request_count", "sum", 0, 24, "operation"),
		g("Frontend errors /s", "temporal_cloud_v1_frontend_service_error_count", "sum", 12, 24, "operation"),
	}}
}
