import { Alert } from '@mantine/core';

/** ErrorNote shows a failed request inline, with the server's message. */
export function ErrorNote({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const msg = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" variant="light" title={title} data-testid="error-note">
      {msg}
    </Alert>
  );
}
