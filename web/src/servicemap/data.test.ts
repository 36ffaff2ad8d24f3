import { describe, expect, it } from 'vitest';
import { buildMap, edgeSearch, mapQueries, nodeSearch, type PromVector } from './data';

const vec = (rows: [Record<string, string>, number][]): PromVector => ({
  status: 'success', data: { resultType: 'vector', result: rows.map(([metric, v]) => ({ metric, value: [0, String(v)] })) },
});

const sample = {
  nodeRate: vec([[{ service: 'frontend' }, 2], [{ service: 'checkout' }, 2], [{ service: 'payment' }, 2]]),
  nodeErrors: vec([[{ service: 'payment' }, 0.8]]),
  nodeP95: vec([[{ service: 'frontend' }, 0.12], [{ service: 'checkout' }, 0.06], [{ service: 'payment' }, 0.02]]),
  edgeRate: vec([
    [{ client: 'user', server: 'frontend', connection_type: 'virtual_node' }, 2],
    [{ client: 'frontend', server: 'checkout', connection_type: '' }, 2],
    [{ client: 'checkout', server: 'payment', connection_type: '' }, 2],
    [{ client: 'checkout', server: 'orders', connection_type: 'database' }, 4],
  ]),
  edgeErrors: vec([[{ client: 'checkout', server: 'payment', connection_type: '' }, 0.8]]),
  edgeP95: vec([[{ client: 'checkout', server: 'payment', connection_type: '' }, 0.025]]),
};

describe('service map data', () => {
  it('joins span metrics and service graph into nodes and edges', () => {
    const m = buildMap(sample);
    expect(m.nodes.map((n) => [n.id, n.virtual])).toEqual([
      ['checkout', false], ['frontend', false], ['orders', true], ['payment', false], ['user', true]]);
    const payment = m.nodes.find((n) => n.id === 'payment')!;
    expect(payment.rate).toBe(2);
    expect(payment.errorRatio).toBeCloseTo(0.4);
    expect(payment.p95).toBe(0.02);
    // A virtual node's numbers are its callers'.
    const orders = m.nodes.find((n) => n.id === 'orders')!;
    expect([orders.rate, orders.errorRatio, Number.isNaN(orders.p95)]).toEqual([4, 0, true]);
    const e = m.edges.find((x) => x.server === 'payment')!;
    expect([e.client, e.rate, e.p95]).toEqual(['checkout', 2, 0.025]);
    expect(e.errorRatio).toBeCloseTo(0.4);
  });

  it('queries Tempo metric names over the window', () => {
    const q = mapQueries(3600);
    expect(q.nodeRate).toBe('sum by (service) (rate(traces_spanmetrics_calls_total{span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"}[3600s]))');
    expect(q.edgeErrors).toBe('sum by (client, server, connection_type) (rate(traces_service_graph_request_failed_total[3600s]))');
    expect(q.edgeP95).toContain('traces_service_graph_request_server_seconds_bucket[3600s]');
  });

  it('builds Search queries for nodes and edges', () => {
    const m = buildMap(sample);
    const virtual = (id: string) => m.nodes.find((n) => n.id === id)!.virtual;
    expect(nodeSearch({ id: 'payment', virtual: false }, m.edges)).toBe('ServiceName:"payment"');
    expect(nodeSearch({ id: 'orders', virtual: true }, m.edges)).toBe('ServiceName:("checkout") SpanKind:("Client" OR "Producer")');
    expect(nodeSearch({ id: 'user', virtual: true }, m.edges)).toBe('ServiceName:("frontend") SpanKind:("Server" OR "Consumer")');
    expect(edgeSearch({ client: 'checkout', server: 'payment' }, virtual))
      .toBe('(ServiceName:"checkout" SpanKind:("Client" OR "Producer")) OR (ServiceName:"payment" SpanKind:("Server" OR "Consumer"))');
    expect(edgeSearch({ client: 'checkout', server: 'orders' }, virtual)).toBe('(ServiceName:"checkout" SpanKind:("Client" OR "Producer"))');
    expect(nodeSearch({ id: 'we"ird', virtual: false }, [])).toBe('ServiceName:"we\\"ird"');
  });
});
