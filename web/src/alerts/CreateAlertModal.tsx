import { Anchor, Button, Group, Modal, NumberInput, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { alertsApi, THRESHOLD_LABELS, type AlertRule, type ChannelType, type TestResult, type ThresholdType } from '../api/alerts';
import type { Source, WhereLanguage } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';

/** HyperDX's alert intervals (the API takes any duration ≥ 5s). */
export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '6h', '12h', '1d'];

/** AlertTarget is what the alert watches: a search or a dashboard tile. */
export type AlertTarget =
  | { kind: 'search'; source: Source; query: string; whereLanguage: WhereLanguage }
  | { kind: 'tile'; dashboardId: string; tileId: string; tileName: string };

/** buildRule turns the form into the POST /api/alerts body. */
export function buildRule(target: AlertTarget, f: AlertForm): AlertRule {
  const rule: AlertRule = {
    name: f.name.trim(),
    interval: f.interval,
    thresholdType: f.thresholdType,
    threshold: f.threshold,
    ...(f.thresholdType === 'between' || f.thresholdType === 'not_between' ? { thresholdMax: f.thresholdMax } : {}),
    channel: { type: f.channelType, url: f.url.trim(), ...(f.channelType === 'template' ? { body: f.body, contentType: f.contentType || undefined } : {}) },
    ...(f.message.trim() ? { message: f.message } : {}),
  };
  if (target.kind === 'tile') return { ...rule, dashboardId: target.dashboardId, tileId: target.tileId };
  const groupBy = f.groupBy.split(',').map((g) => g.trim()).filter(Boolean);
  return { ...rule, source: target.source, query: target.query, whereLanguage: target.whereLanguage, groupBy };
}

export interface AlertForm {
  name: string;
  interval: string;
  thresholdType: ThresholdType;
  threshold: number;
  thresholdMax: number;
  groupBy: string;
  channelType: ChannelType;
  url: string;
  body: string;
  contentType: string;
  message: string;
}

function initialForm(target: AlertTarget): AlertForm {
  return {
    name: target.kind === 'tile' ? target.tileName : target.query ? `${target.source}: ${target.query}`.slice(0, 80) : `all ${target.source}`,
    interval: '5m', thresholdType: 'above', threshold: 1, thresholdMax: 1, groupBy: '',
    channelType: 'webhook', url: '', body: '', contentType: '', message: '',
  };
}

/** CreateAlertModal creates an alert on the current search or on a tile. */
export function CreateAlertModal({ target, opened, onClose }: { target: AlertTarget; opened: boolean; onClose: () => void }) {
  const [f, setF] = useState<AlertForm>(() => initialForm(target));
  const [err, setErr] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [test, setTest] = useState<TestResult | null>(null);
  const [busy, setBusy] = useState(false);
  const qc = useQueryClient();
  const set = (p: Partial<AlertForm>) => setF((x) => ({ ...x, ...p }));
  const close = () => { setErr(null); setCreated(null); setTest(null); setF(initialForm(target)); onClose(); };

  const submit = async () => {
    setErr(null);
    setBusy(true);
    try {
      const a = await alertsApi.create(buildRule(target, f));
      await qc.invalidateQueries({ queryKey: ['alerts'] });
      setCreated(a.id);
    } catch (e) {
      setErr(e);
    } finally {
      setBusy(false);
    }
  };
  const sendTest = async () => {
    setErr(null);
    setTest(null);
    try {
      setTest(await alertsApi.testChannel(buildRule(target, f).channel, f.name || 'test'));
    } catch (e) {
      setErr(e);
    }
  };

  return (
    <Modal opened={opened} onClose={close} title="Create alert" size="lg">
      {created ? (
        <Stack gap="xs" data-testid="alert-created">
          <Text>Alert “{f.name}” created. It is evaluated every {f.interval}.</Text>
          <Group><Anchor component={Link} to="/alerts" onClick={close}>Open Alerts</Anchor><Button variant="default" onClick={close}>Close</Button></Group>
        </Stack>
      ) : (
        <Stack gap="xs">
          <Text size="sm" c="dimmed" data-testid="alert-target">
            {target.kind === 'search'
              ? <>Count of {target.source} matching <code>{target.query || '(everything)'}</code> ({target.whereLanguage}) per interval</>
              : <>Every series of tile “{target.tileName}”</>}
          </Text>
          <TextInput label="Name" value={f.name} onChange={(e) => set({ name: e.currentTarget.value })} data-testid="alert-name" />
          <Group grow>
            <Select label="Interval" data={INTERVALS} value={f.interval} onChange={(v) => v && set({ interval: v })} allowDeselect={false} data-testid="alert-interval" />
            <Select label="Fires when the value is" value={f.thresholdType} allowDeselect={false} data-testid="alert-threshold-type"
              data={Object.entries(THRESHOLD_LABELS).map(([value, label]) => ({ value, label }))}
              onChange={(v) => v && set({ thresholdType: v as ThresholdType })} />
            <NumberInput label="Threshold" value={f.threshold} onChange={(v) => set({ threshold: Number(v) || 0 })} data-testid="alert-threshold" />
            {(f.thresholdType === 'between' || f.thresholdType === 'not_between') && (
              <NumberInput label="and" value={f.thresholdMax} onChange={(v) => set({ thresholdMax: Number(v) || 0 })} data-testid="alert-threshold-max" />
            )}
          </Group>
          {target.kind === 'search' && (
            <TextInput label="Group by (optional, comma-separated)" placeholder="ServiceName" value={f.groupBy}
              onChange={(e) => set({ groupBy: e.currentTarget.value })} data-testid="alert-groupby" />
          )}
          <Group grow align="flex-end">
            <Select label="Channel" data={[{ value: 'webhook', label: 'Webhook (Alertmanager payload)' }, { value: 'slack', label: 'Slack incoming webhook' }, { value: 'template', label: 'Custom body template' }]}
              value={f.channelType} onChange={(v) => v && set({ channelType: v as ChannelType })} allowDeselect={false} data-testid="alert-channel-type" />
            <TextInput label="URL" placeholder="https://hooks.example.com/alerts" value={f.url} onChange={(e) => set({ url: e.currentTarget.value })} data-testid="alert-url" />
          </Group>
          {f.channelType === 'template' && (
            <>
              <Textarea label="Body (Go text/template over the Alertmanager payload)" minRows={2} value={f.body}
                placeholder="{{.Status}}: {{(index .Alerts 0).Annotations.summary}}" onChange={(e) => set({ body: e.currentTarget.value })} />
              <TextInput label="Content type" placeholder="text/plain" value={f.contentType} onChange={(e) => set({ contentType: e.currentTarget.value })} />
            </>
          )}
          <Textarea label="Message (optional Go text/template: .Name .Value .Threshold .Group .Link …)" minRows={2} value={f.message}
            onChange={(e) => set({ message: e.currentTarget.value })} data-testid="alert-message" />
          <ErrorNote error={err} title="Alert not saved" />
          {test && (
            <Text size="sm" c={test.ok ? 'green' : 'red'} data-testid="alert-test-result">
              {test.ok ? `Test notification delivered (${test.attempts} attempt${test.attempts === 1 ? '' : 's'}).` : test.error}
            </Text>
          )}
          <Group justify="space-between">
            <Button variant="default" onClick={sendTest} disabled={!f.url.trim()} data-testid="alert-send-test">Send test notification</Button>
            <Button onClick={submit} loading={busy} disabled={!f.name.trim() || !f.url.trim()} data-testid="alert-create">Create alert</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
