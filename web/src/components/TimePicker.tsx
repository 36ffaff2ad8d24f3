import { Button, Group, Popover, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { describeRange, fmtTime, PRESETS, resolve, type TimeRange } from '../lib/time';

/** TimePicker offers relative presets and an absolute range. */
export function TimePicker({ value, onChange }: { value: TimeRange; onChange: (r: TimeRange) => void }) {
  const [open, setOpen] = useState(false);
  const cur = resolve(value);
  const [from, setFrom] = useState(fmtTime(cur.start));
  const [to, setTo] = useState(fmtTime(cur.end));
  const [err, setErr] = useState('');
  const applyAbs = () => {
    const s = Date.parse(from.replace(' ', 'T'));
    const e = Date.parse(to.replace(' ', 'T'));
    if (Number.isNaN(s) || Number.isNaN(e) || s >= e) {
      setErr('Use YYYY-MM-DD HH:MM:SS, start before end');
      return;
    }
    setErr('');
    onChange({ kind: 'absolute', start: s, end: e });
    setOpen(false);
  };
  return (
    <Popover opened={open} onChange={setOpen} position="bottom-end" shadow="md">
      <Popover.Target>
        <Button variant="default" size="sm" onClick={() => setOpen((o) => !o)} data-testid="time-picker">
          {describeRange(value)}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Group align="flex-start" gap="lg">
          <Stack gap={2}>
            {PRESETS.map((p) => (
              <UnstyledButton key={p.value} px="xs" py={2} onClick={() => { onChange({ kind: 'relative', last: p.value }); setOpen(false); }}>
                <Text size="sm" fw={value.kind === 'relative' && value.last === p.value ? 700 : 400}>{p.label}</Text>
              </UnstyledButton>
            ))}
          </Stack>
          <Stack gap="xs" w={220}>
            <Text size="sm" fw={600}>Absolute range (local time)</Text>
            <TextInput size="xs" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
            <TextInput size="xs" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
            {err && <Text size="xs" c="red">{err}</Text>}
            <Button size="xs" onClick={applyAbs}>Apply</Button>
          </Stack>
        </Group>
      </Popover.Dropdown>
    </Popover>
  );
}
