import { Alert, Anchor, Button, Center, Group, Loader, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { authApi, type AuthStatus } from '../api/auth';
import { UNAUTHORIZED_EVENT } from '../api/client';
import { CredentialsPage } from './CredentialsPage';

interface AuthContextValue {
  status?: AuthStatus;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue>({ logout: async () => undefined });

/** useAuth gives the signed-in principal and logout. */
export const useAuth = () => useContext(AuthContext);

/**
 * AuthGate asks the server who the browser is (/api/auth/status) and shows
 * the login page when a user exists and the browser has no session (also
 * after any 401). While no user exists the app stays usable, with a banner
 * offering the first-run page.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const status = useQuery({ queryKey: ['auth-status'], queryFn: authApi.status, staleTime: Infinity });
  const [setupOpen, setSetupOpen] = useState(false);
  useEffect(() => {
    const on = () => void qc.invalidateQueries({ queryKey: ['auth-status'] });
    window.addEventListener(UNAUTHORIZED_EVENT, on);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, on);
  }, [qc]);
  const signedIn = async () => {
    setSetupOpen(false);
    // Everything fetched before belongs to the previous identity.
    await qc.resetQueries();
  };
  const logout = async () => {
    await authApi.logout().catch(() => undefined);
    await qc.resetQueries();
  };

  if (status.isPending) return <Center h="100vh"><Loader /></Center>;
  if (status.isError) {
    return <Center h="100vh"><Alert color="red" title="cannot reach the server">{status.error.message}</Alert></Center>;
  }
  const s = status.data;
  if (s.setupRequired && setupOpen) {
    return <CredentialsPage mode="setup" onCancel={() => setSetupOpen(false)}
      onSubmit={async (email, pw) => { await authApi.setup(email, pw); await signedIn(); }} />;
  }
  if (!s.authenticated) {
    return <CredentialsPage mode="login" onSubmit={async (email, pw) => { await authApi.login(email, pw); await signedIn(); }} />;
  }
  return (
    <AuthContext.Provider value={{ status: s, logout }}>
      {s.setupRequired && (
        <Alert color="yellow" p="xs" radius={0} data-testid="setup-banner">
          <Group gap="xs">
            <Text size="sm">No user exists: anyone who can reach this server can read and change everything.</Text>
            <Anchor component="button" size="sm" onClick={() => setSetupOpen(true)}>Create the first admin</Anchor>
          </Group>
        </Alert>
      )}
      {children}
    </AuthContext.Provider>
  );
}

/** AccountMenu shows who is signed in, with logout, in the navbar. */
export function AccountMenu() {
  const { status, logout } = useAuth();
  const p = status?.principal;
  if (!p || p.kind !== 'user') return null;
  return (
    <Group justify="space-between" px="xs" mt="md" wrap="nowrap">
      <Text size="xs" c="dimmed" truncate title={`${p.name} (${p.role})`}>{p.name}</Text>
      <Button size="compact-xs" variant="subtle" onClick={() => void logout()}>Log out</Button>
    </Group>
  );
}
