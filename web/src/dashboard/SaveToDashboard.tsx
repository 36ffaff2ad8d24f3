import { Button, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client';
import type { ChartConfig } from '../api/types';
import { ErrorNote } from '../components/ErrorNote';
import { appendTile } from './tiles';

/** SaveToDashboard adds the chart as a tile to an existing or new dashboard. */
export function SaveToDashboard({ opened, onClose, config }: { opened: boolean; onClose: () => void; config: ChartConfig }) {
  const list = useQuery({ queryKey: ['dashboards'], queryFn: ({ signal }) => api.dashboards(signal), enabled: opened });
  const [target, setTarget] = useState<string | null>('new');
  const [name, setName] = useState('');
  const [tileName, setTileName] = useState('');
  const [err, setErr] = useState<unknown>(null);
  const qc = useQueryClient();
  const nav = useNavigate();
  const save = async () => {
    setErr(null);
    try {
      const tileCfg = { ...config, name: tileName || config.name || 'Chart' };
      let id: string;
      if (target === 'new') {
        const d = await api.createDashboard({ name: name || 'New dashboard', tags: [], tiles: appendTile([], tileCfg) });
        id = d.id;
      } else {
        const d = await api.dashboard(target!);
        await api.updateDashboard({ ...d, tiles: appendTile(d.tiles, tileCfg) });
        id = d.id;
      }
      await qc.invalidateQueries({ queryKey: ['dashboards'] });
      await qc.invalidateQueries({ queryKey: ['dashboard', id] });
      onClose();
      nav(`/dashboards/${id}`);
    } catch (e) {
      setErr(e);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Save chart to dashboard">
      <Stack gap="xs">
        <TextInput label="Tile name" value={tileName} onChange={(e) => setTileName(e.currentTarget.value)} placeholder="Chart" />
        <Select label="Dashboard" value={target} onChange={setTarget} allowDeselect={false}
          data={[{ value: 'new', label: '+ New dashboard' }, ...(list.data?.dashboards ?? []).map((d) => ({ value: d.id, label: d.name }))]} />
        {target === 'new' && <TextInput label="New dashboard name" value={name} onChange={(e) => setName(e.currentTarget.value)} />}
        <ErrorNote error={err} title="Save failed" />
        <Button onClick={save}>Save</Button>
      </Stack>
    </Modal>
  );
}
