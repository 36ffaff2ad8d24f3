// What an empty chart says about where its data would come from (issue 11 §5:
// the Temporal Cloud dashboard's empty tiles name the config that feeds them).
import type { ChartConfig } from '../api/types';

/** Metric name prefixes and the configuration that produces them. */
const SOURCES: { prefix: string; hint: string }[] = [
  {
    prefix: 'temporal_cloud_',
    hint: 'Temporal Cloud metrics are scraped by the prometheus receiver: start overlook with a custom collector config '
      + '(CUSTOM_OTELCOL_CONFIG_FILE=…/temporal-metrics.yaml, a scrape job of your Temporal Cloud metrics endpoint with your API key; '
      + 'docs/metrics.md "Scraping"), then check /prometheus/api/v1/targets for the scrape\'s health.',
  },
  {
    prefix: 'k8s.',
    hint: 'k8s.* metrics come from the collector\'s kubeletstats / k8s_cluster receivers sending OTLP to overlook (or try overlook serve --demo).',
  },
  {
    prefix: 'container.',
    hint: 'container.* metrics come from the collector\'s kubeletstats or docker_stats receiver sending OTLP to overlook (or try overlook serve --demo).',
  },
  {
    prefix: 'system.',
    hint: 'system.* metrics come from the collector\'s hostmetrics receiver sending OTLP to overlook (or try overlook serve --demo).',
  },
];

/**
 * emptyHint is the sentence shown over a chart with no data: for a metric,
 * which metric is missing and, when its name says where it comes from, the
 * configuration that produces it.
 */
export function emptyHint(c: ChartConfig): string {
  if (c.source !== 'metrics') return 'No data in this range';
  const names = Array.from(new Set(c.select.map((s) => s.metricName).filter(Boolean) as string[]));
  if (names.length === 0) return 'No data in this range: pick a metric';
  const hint = SOURCES.find((s) => names.some((n) => n.startsWith(s.prefix)))?.hint;
  const what = `No points of ${names.join(', ')} in this range.`;
  return hint ? `${what} ${hint}` : `${what} Nothing has sent this metric yet: check the sender's OTLP endpoint (4317 gRPC, 4318 HTTP).`;
}
