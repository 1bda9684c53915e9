// The API over IPC with a stand-in for ipcMain: frames are checked by the wire schemas, untrusted
// pages are refused, and commands reach the real dispatcher on a real workspace.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type ConstellationBridge, ipcChannels } from '../src/api/bridge.ts';
import { createClient } from '../src/api/client.ts';
import { preloadTransport } from '../src/api/preload-transport.ts';
import { ApiError } from '../src/api/schema/errors.ts';
import type { ServerFrame } from '../src/api/wire.ts';
import { openWorkspace } from '../src/workspace/workspace.ts';
import { type IpcEvent, type IpcMainLike, serveApiOverIpc } from './ipc-api.ts';
import { appOrigin, isAppUrl } from './security.ts';

function fakeIpc(pageUrl: string) {
  const handlers = new Map<string, (event: IpcEvent, ...args: unknown[]) => unknown>();
  const listeners = new Map<string, (event: IpcEvent, ...args: unknown[]) => void>();
  const toRenderer: [string, unknown][] = [];
  const event: IpcEvent = {
    sender: { send: (channel, payload) => toRenderer.push([channel, payload]), isDestroyed: () => false },
    senderFrame: { url: pageUrl },
  };
  const ipc: IpcMainLike = {
    handle: (channel, listener) => handlers.set(channel, listener),
    on: (channel, listener) => listeners.set(channel, listener),
  };
  const invoke = async (frame: unknown) =>
    (await handlers.get(ipcChannels.invoke)!(event, frame)) as ServerFrame;
  const cancel = (frame: unknown) => listeners.get(ipcChannels.cancel)!(event, frame);
  return { ipc, invoke, cancel, toRenderer };
}

function tempWorkspace(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'constellation-ipc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'w.constellation');
  openWorkspace(path).close();
  return path;
}

test('frames from the app’s page run through the dispatcher; malformed ones get error frames', async (t) => {
  const workspace = tempWorkspace(t);
  const { ipc, invoke } = fakeIpc(`${appOrigin}/`);
  serveApiOverIpc(ipc, { workspace: () => workspace, trusted: isAppUrl });
  assert.deepEqual(await invoke({ type: 'request', id: 'a', command: 'datasets.list', input: {} }), {
    type: 'result',
    id: 'a',
    result: { datasets: [] },
  });
  const wrongShape = await invoke({ type: 'request', id: 'b', command: 7 });
  assert.equal(wrongShape.type, 'error');
  assert.equal(wrongShape.id, 'b');
  const notAnObject = await invoke('{"type":"request"}');
  assert.equal(notAnObject.type === 'error' && notAnObject.error.code, 'invalid-input');
  const unknown = await invoke({ type: 'request', id: 'c', command: 'runs.explode', input: {} });
  assert.equal(unknown.type === 'error' && unknown.error.code, 'unknown-command');
  const invalid = await invoke({
    type: 'request',
    id: 'd',
    command: 'datasets.rename',
    input: { name: 'x', newName: 'a/b' },
  });
  assert.deepEqual(invalid.type === 'error' && invalid.error.issues?.map((i) => i.path), [['newName']]);
});

test('a page that is not the app gets nothing', async (t) => {
  const workspace = tempWorkspace(t);
  const { ipc, invoke } = fakeIpc('https://evil.example/');
  serveApiOverIpc(ipc, { workspace: () => workspace, trusted: isAppUrl });
  const answer = await invoke({ type: 'request', id: 'a', command: 'datasets.list', input: {} });
  assert.equal(answer.type, 'error');
  assert.match(answer.type === 'error' ? answer.error.message : '', /only pages of the app/);
});

test('the renderer’s client over the preload transport: typed results, runs.resumable on an empty workspace', async (t) => {
  const workspace = tempWorkspace(t);
  const { ipc, invoke, cancel, toRenderer } = fakeIpc(`${appOrigin}/`);
  serveApiOverIpc(ipc, { workspace: () => workspace, trusted: isAppUrl });
  const bridge: ConstellationBridge = {
    invoke: (frame) => invoke(frame),
    cancel: (frame) => cancel(frame),
    onProgress: () => () => {},
    openDialog: async () => ({ paths: [] }),
    saveDialog: async () => ({ paths: [] }),
    onShellEvent: () => () => {},
    openExternal: async () => {},
    openWorkspace: async () => {},
  };
  const client = createClient(preloadTransport(bridge));
  assert.deepEqual(await client.call('runs.resumable', {}), { runs: [] });
  await assert.rejects(
    client.call('datasets.delete', { name: 'nothing' }),
    (error: unknown) => error instanceof ApiError && error.code === 'not-found',
  );
  assert.deepEqual(toRenderer, [], 'no progress for commands without any');
  client.close();
});
