import { Center, Group, Loader, NativeSelect, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useState, type ReactNode } from 'react';
import { ApiError, request } from '../api/client';
import { currentTenant, forgetTenant, pickTenant, setTenant, storedTenant, type TenantsInfo } from '../api/tenant';
import { useAuth } from '../auth/AuthGate';

/** fetchTenants asks the server about tenancy; a server without the endpoint (404) has none. */
export async function fetchTenants(signal?: AbortSignal): Promise<TenantsInfo> {
  try {
    return await request<TenantsInfo>('GET', '/api/tenants', undefined, signal);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { enabled: false };
    throw e;
  }
}

interface TenantContextValue {
  info: TenantsInfo;
  tenant: string;
  /** choose switches to another tenant: every cached answer is dropped and fetched again. */
  choose: (t: string) => Promise<void>;
}

const TenantContext = createContext<TenantContextValue>({ info: { enabled: false }, tenant: '', choose: async () => undefined });

/** useTenant gives the tenancy state and the tenant switch. */
export const useTenant = () => useContext(TenantContext);

/** Queries that do not depend on the tenant: kept when it changes. */
const TENANT_FREE = new Set(['auth-status', 'tenants']);

/**
 * TenantGate asks the server whether multitenancy is on (GET /api/tenants)
 * before the app makes any other request, picks the tenant (remembered,
 * else the server's current one), and from then on every request carries
 * it (api/client.ts). Without multitenancy — or on a server without the
 * endpoint — nothing changes: no header, no picker.
 */
export function TenantGate({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  // The choice lives in api/tenant.ts (request() reads it); this state
  // only re-renders the picker when it changes.
  const [, rerender] = useState(0);
  const tenant = currentTenant();
  const info = useQuery({
    queryKey: ['tenants'],
    staleTime: Infinity,
    queryFn: async ({ signal }) => {
      forgetTenant();
      const i = await fetchTenants(signal);
      // Set before anything else is fetched (children render after this).
      const t = i.enabled && i.header ? pickTenant(i, storedTenant()) : '';
      setTenant(t && i.header ? { header: i.header, tenant: t } : null);
      return i;
    },
  });
  if (info.isPending) return <Center h="100vh"><Loader /></Center>;
  // An error other than 404 (the server is down, or refuses): the app's
  // own requests will show it; the UI behaves as without tenancy.
  const value: TenantContextValue = {
    info: info.data ?? { enabled: false },
    tenant,
    choose: async (t) => {
      const header = info.data?.header;
      if (!header || t === currentTenant()) return;
      setTenant({ header, tenant: t });
      rerender((n) => n + 1);
      // Everything fetched so far belongs to the previous tenant: drop it
      // (not only mark it stale, so no page shows the old tenant's data
      // under the new name) and fetch what is on screen again.
      await qc.resetQueries({ predicate: (q) => !TENANT_FREE.has(String(q.queryKey[0])) });
    },
  };
  return <TenantContext.Provider value={value}>{children}</TenantContext.Provider>;
}

/**
 * TenantPicker shows the current tenant in the app's header, as a
 * selector when there is a choice: several tenants, or a user not bound
 * to one. Nothing without multitenancy.
 */
export function TenantPicker() {
  const { info, tenant, choose } = useTenant();
  const bound = useAuth().status?.principal?.tenant;
  if (!info.enabled || !tenant) return null;
  const list = info.tenants ?? [];
  if (list.length > 1 || (!bound && list.length > 0)) {
    const data = list.includes(tenant) ? list : [tenant, ...list];
    return (
      <NativeSelect size="xs" px="xs" mb="sm" label="Tenant" data-testid="tenant-select" value={tenant} data={data}
        onChange={(e) => void choose(e.currentTarget.value)} />
    );
  }
  return (
    <Group gap={4} px="xs" mb="sm" wrap="nowrap">
      <Text size="xs" c="dimmed">Tenant</Text>
      <Text size="xs" fw={600} truncate data-testid="tenant-current">{tenant}</Text>
    </Group>
  );
}
