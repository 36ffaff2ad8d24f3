import { Alert, Button, Code, CopyButton, Group, PasswordInput, Select, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { authApi, type Role } from '../api/auth';

const ROLES: Role[] = ['viewer', 'editor', 'admin'];

function Err({ e }: { e: unknown }) {
  return e ? <Alert color="red" role="alert">{(e as Error).message}</Alert> : null;
}

function Users() {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['admin-users'], queryFn: authApi.users });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const create = useMutation({
    mutationFn: () => authApi.createUser({ email, password, role }),
    onSuccess: () => { setEmail(''); setPassword(''); void qc.invalidateQueries({ queryKey: ['admin-users'] }); },
  });
  const del = useMutation({
    mutationFn: authApi.deleteUser,
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['admin-users'] }),
  });
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <Stack>
      <Err e={users.error ?? del.error} />
      <Table data-testid="users-table">
        <Table.Thead><Table.Tr><Table.Th>Email</Table.Th><Table.Th>Role</Table.Th><Table.Th>Created</Table.Th><Table.Th /></Table.Tr></Table.Thead>
        <Table.Tbody>
          {users.data?.users.map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>{u.email}</Table.Td><Table.Td>{u.role}</Table.Td>
              <Table.Td>{new Date(u.created).toLocaleString()}{u.createdBy ? ` by ${u.createdBy}` : ''}</Table.Td>
              <Table.Td><Button size="compact-xs" color="red" variant="subtle" onClick={() => del.mutate(u.id)}>Delete</Button></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={5}>Add a user</Title>
      <Group align="flex-end" component="form" onSubmit={submit}>
        <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        <PasswordInput label="Password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <Select label="Role" data={ROLES} value={role} onChange={(v) => setRole((v ?? 'viewer') as Role)} allowDeselect={false} w={120} />
        <Button type="submit" loading={create.isPending}>Add user</Button>
      </Group>
      <Err e={create.error} />
    </Stack>
  );
}

function Tokens() {
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: ['admin-tokens'], queryFn: authApi.tokens });
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [secret, setSecret] = useState('');
  const create = useMutation({
    mutationFn: () => authApi.createToken(name, role),
    onSuccess: (r) => { setSecret(r.token); setName(''); void qc.invalidateQueries({ queryKey: ['admin-tokens'] }); },
  });
  const del = useMutation({
    mutationFn: authApi.deleteToken,
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['admin-tokens'] }),
  });
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        API tokens authenticate tools such as a Grafana datasource: <Code>Authorization: Bearer &lt;token&gt;</Code> on
        /api, /prometheus and /tempo.
      </Text>
      <Err e={tokens.error ?? del.error} />
      <Table data-testid="tokens-table">
        <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>Role</Table.Th><Table.Th>Token</Table.Th><Table.Th>Created</Table.Th><Table.Th /></Table.Tr></Table.Thead>
        <Table.Tbody>
          {tokens.data?.tokens.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>{t.name}</Table.Td><Table.Td>{t.role}</Table.Td><Table.Td><Code>{t.prefix}…</Code></Table.Td>
              <Table.Td>{new Date(t.created).toLocaleString()}{t.createdBy ? ` by ${t.createdBy}` : ''}</Table.Td>
              <Table.Td><Button size="compact-xs" color="red" variant="subtle" onClick={() => del.mutate(t.id)}>Revoke</Button></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {secret && (
        <Alert color="green" title="Token created: copy it now, it is not shown again">
          <Group><Code data-testid="new-token">{secret}</Code>
            <CopyButton value={secret}>{({ copied, copy }) => <Button size="compact-xs" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
          </Group>
        </Alert>
      )}
      <Title order={5}>Create a token</Title>
      <Group align="flex-end" component="form" onSubmit={submit}>
        <TextInput label="Name" placeholder="grafana" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Select label="Role" data={ROLES} value={role} onChange={(v) => setRole((v ?? 'viewer') as Role)} allowDeselect={false} w={120} />
        <Button type="submit" loading={create.isPending}>Create token</Button>
      </Group>
      <Err e={create.error} />
    </Stack>
  );
}

function Audit() {
  const audit = useQuery({ queryKey: ['admin-audit'], queryFn: authApi.audit });
  return (
    <Stack>
      <Err e={audit.error} />
      <Table data-testid="audit-table">
        <Table.Thead><Table.Tr><Table.Th>Time</Table.Th><Table.Th>Who</Table.Th><Table.Th>Action</Table.Th><Table.Th>Target</Table.Th><Table.Th>Outcome</Table.Th><Table.Th>Address</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {audit.data?.events.map((e, i) => (
            <Table.Tr key={i}>
              <Table.Td>{new Date(e.time).toLocaleString()}</Table.Td><Table.Td>{e.actor}</Table.Td><Table.Td>{e.action}</Table.Td>
              <Table.Td>{e.target}</Table.Td><Table.Td>{e.outcome}</Table.Td><Table.Td>{e.ip}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** AdminPage manages users and API tokens and shows the audit log (admins only). */
export default function AdminPage() {
  return (
    <Stack>
      <Title order={3}>Admin</Title>
      <Tabs defaultValue="users" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="users">Users</Tabs.Tab>
          <Tabs.Tab value="tokens">API tokens</Tabs.Tab>
          <Tabs.Tab value="audit">Audit log</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="sm"><Users /></Tabs.Panel>
        <Tabs.Panel value="tokens" pt="sm"><Tokens /></Tabs.Panel>
        <Tabs.Panel value="audit" pt="sm"><Audit /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
