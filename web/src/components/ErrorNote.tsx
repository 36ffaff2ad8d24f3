import { Alert, Code } from '@mantine/core';
import { ApiError } from '../api/client';

/**
 * ErrorNote shows a failed request inline, with the server's message; for
 * a query syntax error (the server names the position) and the query
 * given, the query with a caret under that position.
 */
export function ErrorNote({ error, title = 'Request failed', query }: { error: unknown; title?: string; query?: string }) {
  if (!error) return null;
  const msg = error instanceof Error ? error.message : String(error);
  const pos = error instanceof ApiError && !error.field && query !== undefined && error.position !== undefined && error.position <= query.length ? error.position : undefined;
  return (
    <Alert color="red" variant="light" title={title} data-testid="error-note">
      {msg}
      {pos !== undefined && (
        <Code block mt={6} data-testid="error-position">{`${query}\n${' '.repeat(pos)}^`}</Code>
      )}
    </Alert>
  );
}
