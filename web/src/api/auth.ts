// The access-control API (internal/auth, docs/security.md).
import { request } from './client';

export type Role = 'admin' | 'editor' | 'viewer';

export interface Principal {
  kind: 'user' | 'token' | 'anonymous' | 'ingest';
  id?: string;
  name?: string;
  role?: Role;
  tenant?: string;
}

export interface AuthStatus {
  /** No user exists yet: the API is open and the first admin can be created. */
  setupRequired: boolean;
  authenticated: boolean;
  principal?: Principal;
}

export interface User {
  id: string;
  email: string;
  role: Role;
  tenant?: string;
  created: string;
  createdBy?: string;
}

export interface Token {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  created: string;
  createdBy?: string;
}

export interface AuditEvent {
  time: string;
  actor: string;
  action: string;
  target?: string;
  outcome: string;
  ip?: string;
}

export const authApi = {
  status: () => request<AuthStatus>('GET', '/api/auth/status'),
  login: (email: string, password: string) => request<{ principal: Principal }>('POST', '/api/login', { email, password }),
  logout: () => request<unknown>('POST', '/api/logout', {}),
  setup: (email: string, password: string) => request<{ user: User }>('POST', '/api/setup', { email, password }),
  users: () => request<{ users: User[] }>('GET', '/api/users'),
  createUser: (u: { email: string; password: string; role: Role; tenant?: string }) => request<{ user: User }>('POST', '/api/users', u),
  deleteUser: (id: string) => request<unknown>('DELETE', `/api/users/${encodeURIComponent(id)}`),
  tokens: () => request<{ tokens: Token[] }>('GET', '/api/tokens'),
  createToken: (name: string, role: Role) => request<{ token: string; info: Token }>('POST', '/api/tokens', { name, role }),
  deleteToken: (id: string) => request<unknown>('DELETE', `/api/tokens/${encodeURIComponent(id)}`),
  audit: () => request<{ events: AuditEvent[] }>('GET', '/api/audit?limit=200'),
};
