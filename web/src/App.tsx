import { ActionIcon, AppShell, Center, Group, Loader, NavLink, Text, Tooltip, useMantineColorScheme } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { AccountMenu, useAuth } from './auth/AuthGate';
import { TenantPicker } from './tenant/TenantGate';

const SearchPage = lazy(() => import('./pages/SearchPage'));
const TracePage = lazy(() => import('./pages/TracePage'));
const ChartExplorerPage = lazy(() => import('./pages/ChartExplorerPage'));
const MetricsPage = lazy(() => import('./pages/MetricsPage'));
const DashboardsPage = lazy(() => import('./pages/DashboardsPage'));
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const ServiceMapPage = lazy(() => import('./pages/ServiceMapPage'));
const AdminPage = lazy(() => import('./pages/AdminPage'));
const SessionsPage = lazy(() => import('./pages/SessionsPage'));
const SessionPage = lazy(() => import('./pages/SessionPage'));
const AlertsPage = lazy(() => import('./pages/AlertsPage'));
const GraphRedirect = lazy(() => import('./pages/GraphRedirect'));

const NAV = [
  { to: '/search', label: 'Search' },
  { to: '/chart', label: 'Chart Explorer' },
  { to: '/explore/metrics', label: 'Metrics Explorer' },
  { to: '/dashboards', label: 'Dashboards' },
  { to: '/service-map', label: 'Service Map' },
  { to: '/sessions', label: 'Client Sessions' },
  { to: '/alerts', label: 'Alerts' },
];

function ThemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const dark = colorScheme === 'dark';
  return (
    <Tooltip label={dark ? 'Light theme' : 'Dark theme'}>
      <ActionIcon variant="subtle" aria-label="toggle theme" onClick={() => setColorScheme(dark ? 'light' : 'dark')}>
        {dark ? '☀' : '☾'}
      </ActionIcon>
    </Tooltip>
  );
}

export function App() {
  const loc = useLocation();
  const me = useAuth().status?.principal;
  const admin = me?.kind === 'user' && me.role === 'admin';
  return (
    <AppShell navbar={{ width: 180, breakpoint: 0 }} padding="sm">
      <AppShell.Navbar p="xs">
        <Group justify="space-between" mb="sm" px="xs">
          <Text fw={700} size="lg">overlook</Text>
          <ThemeToggle />
        </Group>
        <TenantPicker />
        {NAV.map((n) => (
          <NavLink key={n.to} component={Link} to={n.to} label={n.label} active={loc.pathname.startsWith(n.to)} />
        ))}
        {admin && <NavLink component={Link} to="/admin" label="Admin" active={loc.pathname.startsWith('/admin')} />}
        <AccountMenu />
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Center h={200}><Loader /></Center>}>
          <Routes>
            <Route path="/" element={<Navigate to="/search" replace />} />
            <Route path="/search" element={<SearchPage />} />
            <Route path="/trace/:id" element={<TracePage />} />
            <Route path="/chart" element={<ChartExplorerPage />} />
            <Route path="/explore/metrics" element={<MetricsPage />} />
            <Route path="/dashboards" element={<DashboardsPage />} />
            <Route path="/dashboards/:id" element={<DashboardPage />} />
            <Route path="/service-map" element={<ServiceMapPage />} />
            <Route path="/admin" element={<AdminPage />} />
            <Route path="/sessions" element={<SessionsPage />} />
            <Route path="/sessions/:id" element={<SessionPage />} />
            <Route path="/alerts" element={<AlertsPage />} />
            <Route path="/graph" element={<GraphRedirect />} />
            <Route path="*" element={<Text>Page not found.</Text>} />
          </Routes>
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
