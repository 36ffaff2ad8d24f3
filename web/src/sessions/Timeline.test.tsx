import { MantineProvider } from '@mantine/core';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { TimelineEntry } from '../api/sessions';
import { sessionLink } from '../lib/session';
import { Timeline } from './Timeline';

const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 10, 0, s)).toISOString();
const entries: TimelineEntry[] = [
  { timestamp: at(0), kind: 'navigation', name: 'documentLoad', url: 'http://shop/', durationMs: 300, error: false, highlighted: true, source: 'traces' },
  { timestamp: at(3), kind: 'click', name: 'click', message: 'BUTTON', durationMs: 0, error: false, highlighted: false, source: 'traces' },
  { timestamp: at(5), kind: 'request', name: 'HTTP POST', method: 'POST', url: 'http://shop/api/checkout', status: 500, durationMs: 40,
    error: true, highlighted: true, traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), source: 'traces' },
];

describe('Timeline', () => {
  it('shows highlighted entries, all events on demand, seeks and opens traces', () => {
    const onSeek = vi.fn();
    const onOpen = vi.fn();
    render(<MantineProvider><Timeline entries={entries} startMs={Date.parse(at(0))} onSeek={onSeek} onOpen={onOpen} /></MantineProvider>);
    expect(screen.getAllByTestId('timeline-entry')).toHaveLength(2);
    fireEvent.click(screen.getByText('All Events'));
    expect(screen.getAllByTestId('timeline-entry')).toHaveLength(3);
    const failed = screen.getAllByTestId('timeline-entry')[2];
    expect(failed.textContent).toContain('POST http://shop/api/checkout');
    expect(failed.textContent).toContain('0:05');
    fireEvent.click(screen.getAllByTestId('timeline-play')[2]);
    expect(onSeek).toHaveBeenCalledWith(Date.parse(at(5)));
    expect(onOpen).not.toHaveBeenCalled();
    fireEvent.click(failed);
    expect(onOpen).toHaveBeenCalledWith(entries[2]);
  });
});

describe('sessionLink', () => {
  it('links a row with rum.sessionId to its session at its time', () => {
    expect(sessionLink({ Timestamp: '2026-12-06T10:00:05Z', ResourceAttributes: {} })).toBe('');
    const l = sessionLink({ Timestamp: '2026-12-06T10:00:05Z', ResourceAttributes: { 'rum.sessionId': 'abc' } });
    expect(l.startsWith('/sessions/abc?')).toBe(true);
    expect(new URLSearchParams(l.split('?')[1]).get('ts')).toBe(String(Date.parse('2026-12-06T10:00:05Z')));
  });
});
