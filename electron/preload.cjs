// The preload of Constellation's window. Sandboxed preloads can require only 'electron' (no zod,
// no TypeScript), so this file only forwards: the main process checks every frame it receives
// against the wire schemas, and the renderer's preload transport checks every frame it gets back.
// The channel names must equal ipcChannels in src/api/bridge.ts (preload.test.ts compares them).
const { contextBridge, ipcRenderer } = require('electron');

const channels = {
  invoke: 'constellation:invoke',
  progress: 'constellation:progress',
  cancel: 'constellation:cancel',
  openDialog: 'constellation:open-dialog',
  saveDialog: 'constellation:save-dialog',
  shellEvent: 'constellation:shell-event',
  openExternal: 'constellation:open-external',
  openWorkspace: 'constellation:open-workspace',
};

/** Subscribes to a main-process event channel; the renderer never sees the IPC event object. */
function subscribe(channel, listener) {
  if (typeof listener !== 'function') throw new TypeError('expected a listener function');
  const forward = (_event, payload) => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => ipcRenderer.removeListener(channel, forward);
}

contextBridge.exposeInMainWorld('constellation', {
  invoke: (frame) => ipcRenderer.invoke(channels.invoke, frame),
  onProgress: (listener) => subscribe(channels.progress, listener),
  cancel: (frame) => ipcRenderer.send(channels.cancel, frame),
  openDialog: (request) => ipcRenderer.invoke(channels.openDialog, request),
  saveDialog: (request) => ipcRenderer.invoke(channels.saveDialog, request),
  onShellEvent: (listener) => subscribe(channels.shellEvent, listener),
  openExternal: (url) => ipcRenderer.invoke(channels.openExternal, url),
  openWorkspace: (request) => ipcRenderer.invoke(channels.openWorkspace, request),
});
