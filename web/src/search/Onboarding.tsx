import { Code, Paper, Stack, Text, Title } from '@mantine/core';

/** otlpEndpoints are the default OTLP receivers on the host the UI is served from. */
export function otlpEndpoints(host: string): { grpc: string; http: string } {
  const h = host || 'localhost';
  return { grpc: `${h}:4317`, http: `http://${h}:4318` };
}

/**
 * Onboarding is the empty Search of a fresh install: where to send data
 * (the OTLP endpoints), an SDK environment snippet, and the demo switch.
 */
export function Onboarding({ source }: { source: 'logs' | 'traces' }) {
  const e = otlpEndpoints(window.location.hostname);
  return (
    <Paper withBorder p="md" data-testid="onboarding">
      <Stack gap="xs">
        <Title order={4}>No {source} in this time range yet</Title>
        <Text size="sm">overlook receives OpenTelemetry data over OTLP (default ports; see the config's receivers):</Text>
        <Text size="sm" component="div">
          <ul style={{ margin: 0 }}>
            <li>OTLP/gRPC: <Code>{e.grpc}</Code></li>
            <li>OTLP/HTTP: <Code>{e.http}</Code> (<Code>/v1/traces</Code>, <Code>/v1/logs</Code>, <Code>/v1/metrics</Code>; protobuf or JSON)</li>
          </ul>
        </Text>
        <Text size="sm">Point any OpenTelemetry SDK at it with the standard environment variables:</Text>
        <Code block data-testid="onboarding-env">{`export OTEL_EXPORTER_OTLP_ENDPOINT=${e.http}
export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
export OTEL_SERVICE_NAME=my-service`}</Code>
        <Text size="sm">or a collector's <Code>otlphttp</Code> exporter at <Code>{e.http}</Code>.</Text>
        <Text size="sm">Just looking? Start overlook with a built-in demo shop (ten services, logs, traces and metrics, with a payment incident to find):</Text>
        <Code block>overlook serve --demo</Code>
        <Text size="xs" c="dimmed">Or widen the time range: data older than the range is not shown.</Text>
      </Stack>
    </Paper>
  );
}
