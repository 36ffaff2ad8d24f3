// /api/alerts (search and tile alerts) and the Prometheus rules API, as
// the Alerts page reads them (docs/alerting.md).
import { ApiError, request } from './client';
import type { Source, WhereLanguage } from './types';

export type ChannelType = 'webhook' | 'slack' | 'template';

/** HyperDX's comparisons: above is value ≥ threshold, below is value < threshold. */
export type ThresholdType = 'above' | 'below' | 'above_exclusive' | 'below_or_equal' | 'equal' | 'not_equal' | 'between' | 'not_between';

export const THRESHOLD_LABELS: Record<ThresholdType, string> = {
  above: 'at or above', below: 'below', above_exclusive: 'above', below_or_equal: 'at or below',
  equal: 'equal to', not_equal: 'not equal to', between: 'between', not_between: 'outside',
};

/** conditionText is the comparison in words: "≥ 10", "between 1 and 5". */
export function conditionText(t: ThresholdType, threshold: number, max?: number): string {
  if (t === 'between' || t === 'not_between') return `${THRESHOLD_LABELS[t]} ${threshold} and ${max ?? threshold}`;
  return `${THRESHOLD_LABELS[t] ?? t} ${threshold}`;
}

export interface Channel {
  type: ChannelType;
  url: string;
  body?: string;
  contentType?: string;
}

/** AlertRule is what POST/PUT /api/alerts take. */
export interface AlertRule {
  name: string;
  source?: Source;
  query?: string;
  whereLanguage?: WhereLanguage;
  groupBy?: string[];
  dashboardId?: string;
  tileId?: string;
  interval: string;
  thresholdType: ThresholdType;
  threshold: number;
  /** Upper bound (inclusive) of between and not_between. */
  thresholdMax?: number;
  channel: Channel;
  message?: string;
  silenceUntil?: string;
}

export type AlertState = 'ok' | 'alert' | 'silenced' | 'error';

export interface AlertEvent {
  at: string;
  state: string;
  value?: number;
  group?: Record<string, string>;
  error?: string;
}

export interface AlertNotification {
  at: string;
  status: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

export interface Alert extends AlertRule {
  id: string;
  state: AlertState;
  lastEvaluation?: string;
  lastError?: string;
  lastValue?: number;
  instances: { group?: Record<string, string>; state: string; value: number; since: string }[];
  history?: AlertEvent[];
  notifications: AlertNotification[];
}

export interface TestResult {
  ok: boolean;
  attempts: number;
  error?: string;
}

/** PromRule is one rule of /prometheus/api/v1/rules (Prometheus's shape). */
export interface PromRule {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  state?: 'firing' | 'pending' | 'inactive';
  health?: string;
  lastError?: string;
  lastEvaluation?: string;
  alerts?: { labels: Record<string, string>; state: string; activeAt?: string; value?: string }[];
}

export interface PromRuleGroup {
  name: string;
  file: string;
  rules: PromRule[];
}

/** RuleChannel is a built-in channel of Prometheus rule alerts and its last delivery. */
export interface RuleDelivery {
  at: string;
  status: string;
  group: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

export interface RuleChannel {
  name: string;
  type: string;
  delivered: number;
  failed: number;
  last?: RuleDelivery;
  lastError?: RuleDelivery;
}

/** testOutcome turns the 502 of a refused test notice into a result. */
async function testOutcome(p: Promise<TestResult>): Promise<TestResult> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.status === 502) return { ok: false, attempts: 0, error: e.message };
    throw e;
  }
}

export const alertsApi = {
  list: (signal?: AbortSignal) => request<{ alerts: Alert[] }>('GET', '/api/alerts', undefined, signal),
  get: (id: string, signal?: AbortSignal) => request<Alert>('GET', `/api/alerts/${id}`, undefined, signal),
  create: (a: AlertRule) => request<Alert>('POST', '/api/alerts', a),
  remove: (id: string) => request<void>('DELETE', `/api/alerts/${id}`),
  silence: (id: string, duration: string) => request<Alert>('POST', `/api/alerts/${id}/silence`, { for: duration }),
  unsilence: (id: string) => request<Alert>('DELETE', `/api/alerts/${id}/silence`),
  test: (id: string) => testOutcome(request<TestResult>('POST', `/api/alerts/${id}/test`)),
  testChannel: (channel: Channel, name: string) =>
    testOutcome(request<TestResult>('POST', '/api/alerts/test-channel', { channel, name })),
  /** Prometheus rules; none when the route is not there (404). */
  promRules: async (signal?: AbortSignal): Promise<PromRuleGroup[]> => {
    try {
      const r = await request<{ status: string; data?: { groups: PromRuleGroup[] } }>('GET', '/prometheus/api/v1/rules', undefined, signal);
      return r.data?.groups ?? [];
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return [];
      throw e;
    }
  },
  testRuleChannel: (name: string) =>
    testOutcome(request<TestResult>('POST', `/api/alerts/rule-channels/${encodeURIComponent(name)}/test`, {})),
  ruleChannels: async (signal?: AbortSignal): Promise<RuleChannel[]> => {
    try {
      const r = await request<{ channels: RuleChannel[] }>('GET', '/api/alerts/rule-channels', undefined, signal);
      return r.channels ?? [];
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return [];
      throw e;
    }
  },
};
