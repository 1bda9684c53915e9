// What Electron's preload exposes to the renderer as `window.constellation` (contextBridge).
// Types and zod schemas only, so the renderer, the preload's checks and the main process agree.
// In serve mode there is no bridge: the renderer uses the WebSocket transport and skips the
// native-only parts (dialogs, menu events).
import { z } from 'zod';
import type { CancelFrame, ProgressFrame, RequestFrame, ServerFrame } from './wire.ts';

export const FileFilter = z.object({
  name: z.string().max(200),
  extensions: z.array(z.string().max(20)).max(50),
});

/** A native open dialog: files or folders to import, or a workspace to open. */
export const OpenDialogRequest = z.object({
  title: z.string().max(200).optional(),
  /** `folder` picks directories (an image folder), `file` picks files */
  pick: z.enum(['file', 'folder']).default('file'),
  multiple: z.boolean().default(false),
  filters: z.array(FileFilter).max(20).default([]),
});
export type OpenDialogRequest = z.input<typeof OpenDialogRequest>;

/** A native save dialog: where to write an export (embeddings, an ONNX model). */
export const SaveDialogRequest = z.object({
  title: z.string().max(200).optional(),
  defaultName: z.string().max(500).optional(),
  filters: z.array(FileFilter).max(20).default([]),
});
export type SaveDialogRequest = z.input<typeof SaveDialogRequest>;

/** Switch the app to a recent workspace (one of workspaces.recent), or, without a path, the Open Workspace dialog. */
export const OpenWorkspaceRequest = z.object({ path: z.string().min(1).max(4096).optional() });
export type OpenWorkspaceRequest = z.input<typeof OpenWorkspaceRequest>;

/** Absolute paths chosen; empty when the user cancelled. */
export const DialogResult = z.object({ paths: z.array(z.string()) });
export type DialogResult = z.infer<typeof DialogResult>;

/** What the application menu asks of the renderer. */
export const ShellEvent = z.discriminatedUnion('type', [
  /** the main process switched to another workspace file: reload everything */
  z.object({ type: z.literal('workspace-opened'), path: z.string() }),
  /** File > Import...: open the import wizard */
  z.object({ type: z.literal('open-import') }),
]);
export type ShellEvent = z.infer<typeof ShellEvent>;

export interface ConstellationBridge {
  /** Runs one request; resolves with its result or error frame (never rejects for an API error). */
  invoke(frame: RequestFrame): Promise<ServerFrame>;
  /** Progress frames of every request in flight; returns the unsubscribe function. */
  onProgress(listener: (frame: ProgressFrame) => void): () => void;
  cancel(frame: CancelFrame): void;
  openDialog(request: OpenDialogRequest): Promise<DialogResult>;
  saveDialog(request: SaveDialogRequest): Promise<DialogResult>;
  onShellEvent(listener: (event: ShellEvent) => void): () => void;
  /** resolves once the main process switched (a shell event `workspace-opened` follows) or the user cancelled */
  openWorkspace(request: OpenWorkspaceRequest): Promise<void>;
  /** opens an https link in the user's browser (anything else is refused) */
  openExternal(url: string): Promise<void>;
}

/** IPC channel names, shared by the preload and the main process. */
export const ipcChannels = {
  invoke: 'constellation:invoke',
  progress: 'constellation:progress',
  cancel: 'constellation:cancel',
  openDialog: 'constellation:open-dialog',
  saveDialog: 'constellation:save-dialog',
  shellEvent: 'constellation:shell-event',
  openExternal: 'constellation:open-external',
  openWorkspace: 'constellation:open-workspace',
} as const;
