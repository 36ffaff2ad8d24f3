import type { Row } from '../api/types';
import { tsMs } from './time';

/**
 * sessionLink: the browser session (rum.sessionId, set by HyperDX's browser
 * SDK) of a span or log row, opened at the row's moment; '' without one.
 */
export function sessionLink(row: Row): string {
  const res = row.ResourceAttributes as Record<string, string> | undefined;
  const id = res?.['rum.sessionId'];
  if (!id) return '';
  const ms = tsMs(row.Timestamp);
  if (Number.isNaN(ms)) return `/sessions/${encodeURIComponent(id)}`;
  const q = new URLSearchParams({
    start: new Date(ms - 3600e3).toISOString(), end: new Date(ms + 3600e3).toISOString(), ts: String(Math.round(ms)),
  });
  return `/sessions/${encodeURIComponent(id)}?${q}`;
}
