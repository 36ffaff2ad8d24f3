// The tenant the UI acts as (issue 14, docs/security.md "Tenant picker").
// The server says whether multitenancy is on and which header names the
// tenant (GET /api/tenants); the chosen tenant is remembered in
// localStorage and request() (client.ts) sends it on every API,
// Prometheus and Tempo request.

/** What GET /api/tenants answers (a 404 from an older server means: off). */
export interface TenantsInfo {
  enabled: boolean;
  /** The request header that names the tenant, e.g. X-Scope-OrgID. */
  header?: string;
  tenants?: string[];
  /** The tenant the server resolved for this request (the header sent, or the user's). */
  current?: string;
}

/** STORAGE_KEY holds the chosen tenant and its header: {"header","tenant"}. */
export const TENANT_STORAGE_KEY = 'overlook.tenant';

interface Choice {
  header: string;
  tenant: string;
}

// null until the TenantGate has asked the server (GET /api/tenants goes
// without a tenant, so a remembered tenant that no longer exists, or that
// another user chose on this browser, cannot lock the UI out).
let choice: Choice | null = null;

function load(): Choice | null {
  try {
    const c = JSON.parse(globalThis.localStorage?.getItem(TENANT_STORAGE_KEY) ?? 'null') as Choice | null;
    return c && typeof c.header === 'string' && typeof c.tenant === 'string' && c.header && c.tenant ? c : null;
  } catch {
    return null; // unreadable or blocked storage: no tenant until the picker sets one
  }
}

/** currentTenant is the chosen tenant ("" when none: multitenancy off, or not yet known). */
export const currentTenant = (): string => choice?.tenant ?? '';

/** storedTenant is the tenant remembered from an earlier visit ("" if none). */
export const storedTenant = (): string => load()?.tenant ?? '';

/**
 * setTenant chooses the tenant sent as `header` on every request from now
 * on, and remembers it; null forgets it (multitenancy off).
 */
export function setTenant(c: Choice | null): void {
  choice = c;
  try {
    if (c) globalThis.localStorage?.setItem(TENANT_STORAGE_KEY, JSON.stringify(c));
    else globalThis.localStorage?.removeItem(TENANT_STORAGE_KEY);
  } catch {
    // storage full or blocked: the choice still holds for this page
  }
}

/** forgetTenant stops sending a tenant, keeping the remembered one (before asking the server again). */
export function forgetTenant(): void {
  choice = null;
}

/** tenantHeaders are the headers that name the chosen tenant (none when none is chosen). */
export function tenantHeaders(): Record<string, string> {
  return choice ? { [choice.header]: choice.tenant } : {};
}

/**
 * pickTenant decides which tenant to use: the remembered one if the
 * server still lists it, else the server's current one, else the first.
 */
export function pickTenant(info: TenantsInfo, remembered: string): string {
  const list = info.tenants ?? [];
  if (remembered && list.includes(remembered)) return remembered;
  if (info.current) return info.current;
  return list[0] ?? '';
}
