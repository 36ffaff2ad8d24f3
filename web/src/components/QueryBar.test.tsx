import { MantineProvider } from '@mantine/core';
import { act, render } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { QueryBar } from './QueryBar';

function setup(value = 'level:error') {
  const onSubmit = vi.fn();
  const onChange = vi.fn();
  const r = render(
    <MantineProvider>
      <QueryBar value={value} language="lucene" onChange={onChange} onLanguageChange={() => undefined} onSubmit={onSubmit} fields={() => ['ServiceName']} slashFocus />
    </MantineProvider>,
  );
  const content = r.container.querySelector('.cm-content') as HTMLElement;
  return { r, onSubmit, onChange, content };
}

describe('QueryBar', () => {
  it('shows the value in a CodeMirror editor', () => {
    const { content } = setup();
    expect(content.textContent).toBe('level:error');
  });

  it('runs on Enter with the current text', () => {
    const { content, onSubmit } = setup('service:payment');
    act(() => {
      content.focus();
      content.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 13, bubbles: true, cancelable: true }));
    });
    expect(onSubmit).toHaveBeenCalledWith('service:payment');
  });

  it('focuses on "/" pressed outside inputs', () => {
    const { content } = setup();
    act(() => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }));
    });
    expect(document.activeElement === content || content.contains(document.activeElement)).toBe(true);
  });
});
