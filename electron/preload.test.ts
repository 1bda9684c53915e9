// The preload as Electron runs it in a sandbox: a CommonJS script whose only `require` is
// 'electron'. Run here in a vm context with a recording contextBridge and ipcRenderer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { ipcChannels } from '../src/api/bridge.ts';

function loadPreload() {
  const exposed: Record<string, Record<string, (...args: unknown[]) => unknown>> = {};
  const sent: unknown[][] = [];
  const listeners = new Map<string, ((event: unknown, payload: unknown) => void)[]>();
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: Record<string, (...args: unknown[]) => unknown>) => {
        exposed[key] = api;
      },
    },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        sent.push(['invoke', ...args]);
        return { type: 'result', id: '1', result: {} };
      },
      send: (...args: unknown[]) => sent.push(['send', ...args]),
      on: (channel: string, listener: (event: unknown, payload: unknown) => void) => {
        listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      },
      removeListener: (channel: string, listener: (event: unknown, payload: unknown) => void) => {
        listeners.set(
          channel,
          (listeners.get(channel) ?? []).filter((l) => l !== listener),
        );
      },
    },
  };
  const source = readFileSync(new URL('./preload.cjs', import.meta.url), 'utf8');
  runInNewContext(source, {
    require: (name: string) => {
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    },
  });
  const emit = (channel: string, payload: unknown) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: 'ipc event' }, payload);
  };
  return { bridge: exposed.constellation, sent, emit, listeners };
}

test('the preload exposes exactly the bridge, on the channels the main process listens to', async () => {
  const { bridge, sent } = loadPreload();
  assert.deepEqual(Object.keys(bridge).sort(), [
    'cancel',
    'invoke',
    'onProgress',
    'onShellEvent',
    'openDialog',
    'openExternal',
    'openWorkspace',
    'saveDialog',
  ]);
  const request = { type: 'request', id: '1', command: 'datasets.list', input: {} };
  assert.deepEqual(await bridge.invoke(request), { type: 'result', id: '1', result: {} });
  bridge.cancel({ type: 'cancel', id: '1' });
  await bridge.openDialog({ pick: 'folder' });
  await bridge.saveDialog({});
  await bridge.openExternal('https://example.org/');
  await bridge.openWorkspace({});
  assert.deepEqual(
    sent.map(([how, channel]) => [how, channel]),
    [
      ['invoke', ipcChannels.invoke],
      ['send', ipcChannels.cancel],
      ['invoke', ipcChannels.openDialog],
      ['invoke', ipcChannels.saveDialog],
      ['invoke', ipcChannels.openExternal],
      ['invoke', ipcChannels.openWorkspace],
    ],
  );
});

test('listeners get the payload, never the IPC event, and can unsubscribe', () => {
  const { bridge, emit, listeners } = loadPreload();
  const progress: unknown[] = [];
  const stop = bridge.onProgress((frame: unknown) => progress.push(frame)) as () => void;
  const shell: unknown[] = [];
  bridge.onShellEvent((event: unknown) => shell.push(event));
  emit(ipcChannels.progress, { type: 'progress', id: '1', progress: { rows: 5 } });
  emit(ipcChannels.shellEvent, { type: 'open-import' });
  stop();
  emit(ipcChannels.progress, { type: 'progress', id: '1', progress: { rows: 9 } });
  assert.deepEqual(progress, [{ type: 'progress', id: '1', progress: { rows: 5 } }]);
  assert.deepEqual(shell, [{ type: 'open-import' }]);
  assert.equal(listeners.get(ipcChannels.progress)?.length, 0);
  assert.throws(() => bridge.onProgress('not a function'), /listener function/);
});
