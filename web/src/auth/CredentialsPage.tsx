import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';

/** CredentialsPage is the login and the first-run ("create the first admin") form. */
export function CredentialsPage(p: {
  mode: 'login' | 'setup';
  onSubmit: (email: string, password: string) => Promise<void>;
  onCancel?: () => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const setup = p.mode === 'setup';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await p.onSubmit(email, password);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh">
      <Paper withBorder p="lg" w={380} component="form" onSubmit={submit}>
        <Stack>
          <Title order={3}>{setup ? 'Create the first admin' : 'Log in to overlook'}</Title>
          {setup && (
            <Text size="sm" c="dimmed">
              No user exists yet, so anyone who can reach this server can read and change everything. Create the
              first admin: from then on every page and API needs a login or an API token.
            </Text>
          )}
          <TextInput label="Email" type="email" autoComplete="username" required value={email}
            onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput label="Password" autoComplete={setup ? 'new-password' : 'current-password'} required
            description={setup ? 'At least 8 characters' : undefined} value={password}
            onChange={(e) => setPassword(e.currentTarget.value)} />
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <Button type="submit" loading={busy}>{setup ? 'Create admin and log in' : 'Log in'}</Button>
          {p.onCancel && <Button variant="subtle" onClick={p.onCancel}>Not now</Button>}
        </Stack>
      </Paper>
    </Center>
  );
}
