// Constellation's Electron main process: one window on the app:// protocol, the application menu,
// native dialogs, remembered window state and recent workspaces, and the API over IPC. The
// decisions worth testing live in plain modules (security.ts, ipc-api.ts, window-state.ts,
// src/workspace/recent-workspaces.ts) that run under Node without Electron; this file only wires them up.
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DialogResult,
  ipcChannels,
  OpenDialogRequest,
  OpenWorkspaceRequest,
  SaveDialogRequest,
  type ShellEvent,
} from '../src/api/bridge.ts';
import { contentTypeOf, missingBuildPage, resolveRendererFile } from '../src/server/static-files.ts';
import {
  readRecentWorkspaces,
  recentWorkspacesFile,
  rememberWorkspace,
} from '../src/workspace/recent-workspaces.ts';
import { openWorkspace } from '../src/workspace/workspace.ts';
import { serveApiOverIpc } from './ipc-api.ts';
import {
  appContentSecurityPolicy,
  applyNavigationPolicy,
  appOrigin,
  appScheme,
  denyAllPermissions,
  externalLink,
  isAppUrl,
  windowOptions,
} from './security.ts';
import { readWindowState, restoredBounds, writeWindowState } from './window-state.ts';

// Through CommonJS require, which Electron answers with its built-in module (an ESM loader hook
// such as tsx's could otherwise resolve node_modules/electron, the npm package that only knows
// where the binary is).
const electron = createRequire(import.meta.url)('electron') as typeof import('electron');
const { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } = electron;

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const rendererDir = join(root, 'renderer', 'dist');
const workspaceFilter = { name: 'Constellation workspace', extensions: ['constellation'] };

protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const userFile = (name: string) => join(app.getPath('userData'), name);
let window: InstanceType<typeof BrowserWindow> | null = null;
let workspace = '';

/** A workspace path given on the command line (`electron . my.constellation`), if any. */
function workspaceArgument(argv: readonly string[]): string | undefined {
  const path = argv.slice(1).find((arg) => arg.endsWith('.constellation'));
  return path && resolve(path);
}

/** The command line's workspace, else the last one opened, else the one `npm start` built, else a new one. */
function initialWorkspace(): string {
  const recent = readRecentWorkspaces(recentWorkspacesFile());
  const built = resolve(process.env.CONSTELLATION_WORKSPACE || 'workspace.constellation');
  return (
    workspaceArgument(process.argv) ??
    recent[0] ??
    (existsSync(built) ? built : userFile('workspace.constellation'))
  );
}

function tellRenderer(event: ShellEvent): void {
  if (window && !window.isDestroyed()) window.webContents.send(ipcChannels.shellEvent, event);
}

/** Switches to `path` (created when new); later commands act on it. */
function switchWorkspace(path: string): void {
  try {
    openWorkspace(path).close();
  } catch (error) {
    dialog.showErrorBox('Cannot open this workspace', error instanceof Error ? error.message : String(error));
    return;
  }
  workspace = path;
  rememberWorkspace(recentWorkspacesFile(), path);
  window?.setTitle(`Constellation: ${path}`);
  buildMenu();
  tellRenderer({ type: 'workspace-opened', path });
}

async function newWorkspace(): Promise<void> {
  const chosen = await dialog.showSaveDialog({
    title: 'New workspace',
    defaultPath: 'workspace.constellation',
    filters: [workspaceFilter],
  });
  if (!chosen.canceled && chosen.filePath) switchWorkspace(chosen.filePath);
}

async function openWorkspaceDialog(): Promise<void> {
  const chosen = await dialog.showOpenDialog({
    title: 'Open workspace',
    properties: ['openFile'],
    filters: [workspaceFilter],
  });
  if (!chosen.canceled && chosen.filePaths[0]) switchWorkspace(chosen.filePaths[0]);
}

function showAbout(): void {
  void dialog.showMessageBox({
    type: 'info',
    title: 'About Constellation',
    message: `Constellation ${app.getVersion()}`,
    detail: `Representation learning on your own networks, interaction logs, images and videos.\n\nWorkspace: ${workspace}\nElectron ${process.versions.electron}, Node ${process.versions.node}`,
  });
}

function buildMenu(): void {
  const recent = readRecentWorkspaces(recentWorkspacesFile());
  const template: Electron.MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Workspace…', accelerator: 'CmdOrCtrl+N', click: () => void newWorkspace() },
        { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: () => void openWorkspaceDialog() },
        {
          label: 'Recent Workspaces',
          submenu: recent.length
            ? recent.map((path) => ({ label: path, click: () => switchWorkspace(path) }))
            : [{ label: 'None yet', enabled: false }],
        },
        { type: 'separator' },
        { label: 'Import…', accelerator: 'CmdOrCtrl+I', click: () => tellRenderer({ type: 'open-import' }) },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'About Constellation', click: showAbout },
        // The documentation ships with the app (no public site yet): the README opens locally.
        { label: 'Documentation', click: () => void shell.openPath(join(root, 'README.md')) },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Serves renderer/dist on app://constellation with the strict CSP on every response. */
function serveRenderer(): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const headers = {
      'Content-Security-Policy': appContentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
    };
    if (!isAppUrl(request.url)) return new Response('not found', { status: 404, headers });
    const found = resolveRendererFile(rendererDir, url.pathname);
    if ('status' in found) {
      const body = found.status === 503 ? missingBuildPage(rendererDir) : 'not found';
      return new Response(body, {
        status: found.status,
        headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' },
      });
    }
    return new Response(await readFile(found.file), {
      headers: { ...headers, 'Content-Type': contentTypeOf(found.file) },
    });
  });
}

/** Dialogs and links the renderer may ask for, each checked like an API frame. */
function serveShellIpc(): void {
  const trusted = (event: Electron.IpcMainInvokeEvent) => isAppUrl(event.senderFrame?.url ?? '');
  ipcMain.handle(ipcChannels.openDialog, async (event, raw) => {
    if (!trusted(event)) throw new Error('refused: not a page of the app');
    const request = OpenDialogRequest.parse(raw);
    const properties: ('openFile' | 'openDirectory' | 'multiSelections')[] = [
      request.pick === 'folder' ? 'openDirectory' : 'openFile',
    ];
    if (request.multiple) properties.push('multiSelections');
    const chosen = await dialog.showOpenDialog(window!, {
      title: request.title,
      properties,
      filters: request.filters,
    });
    return DialogResult.parse({ paths: chosen.canceled ? [] : chosen.filePaths });
  });
  ipcMain.handle(ipcChannels.saveDialog, async (event, raw) => {
    if (!trusted(event)) throw new Error('refused: not a page of the app');
    const request = SaveDialogRequest.parse(raw);
    const chosen = await dialog.showSaveDialog(window!, {
      title: request.title,
      defaultPath: request.defaultName,
      filters: request.filters,
    });
    return DialogResult.parse({ paths: chosen.canceled || !chosen.filePath ? [] : [chosen.filePath] });
  });
  ipcMain.handle(ipcChannels.openWorkspace, async (event, raw) => {
    if (!trusted(event)) throw new Error('refused: not a page of the app');
    const { path } = OpenWorkspaceRequest.parse(raw);
    if (path === undefined) return openWorkspaceDialog();
    // the page may name only a workspace the user opened before; any other goes through the dialog
    if (!readRecentWorkspaces(recentWorkspacesFile()).includes(resolve(path))) {
      throw new Error(`refused: ${path} is not a recent workspace; use File › Open Workspace…`);
    }
    switchWorkspace(resolve(path));
  });
  ipcMain.handle(ipcChannels.openExternal, async (event, raw) => {
    const link = trusted(event) && typeof raw === 'string' ? externalLink(raw) : null;
    if (!link) throw new Error('refused: only https links open outside the app');
    await shell.openExternal(link);
  });
}

function createWindow(): void {
  const stateFile = userFile('window-state.json');
  const saved = readWindowState(stateFile);
  const bounds = restoredBounds(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  window = new BrowserWindow(windowOptions(join(here, 'preload.cjs'), bounds));
  if (saved?.maximized) window.maximize();
  applyNavigationPolicy(window.webContents, (url) => void shell.openExternal(url));
  window.setTitle(`Constellation: ${workspace}`);
  window.once('ready-to-show', () => window?.show());
  window.on('close', () => {
    if (!window) return;
    const { x, y, width, height } = window.getNormalBounds();
    writeWindowState(stateFile, { x, y, width, height, maximized: window.isMaximized() });
  });
  window.on('closed', () => {
    window = null;
  });
  void window.loadURL(`${appOrigin}/`);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
    const path = workspaceArgument(argv);
    if (path) switchWorkspace(path);
  });

  void app.whenReady().then(() => {
    mkdirSync(app.getPath('userData'), { recursive: true });
    denyAllPermissions(session.defaultSession);
    serveRenderer();
    serveShellIpc();
    const api = serveApiOverIpc(ipcMain, { workspace: () => workspace, trusted: isAppUrl });
    switchWorkspace(initialWorkspace());
    createWindow();

    // Quitting while commands run: training checkpoints and marks its run paused (the next start
    // offers to resume it through runs.resumable); anything else is cancelled and rolls back.
    let stopping = false;
    app.on('before-quit', (event) => {
      if (stopping || api.inFlight === 0) return;
      event.preventDefault();
      stopping = true;
      const deadline = new Promise((done) => setTimeout(done, 60_000));
      void Promise.race([api.pause(), deadline]).finally(() => app.quit());
    });
  });

  app.on('window-all-closed', () => app.quit());
  // Any other web contents (a devtools extension, a stray frame) gets the same navigation lock.
  app.on('web-contents-created', (_event, contents) => {
    applyNavigationPolicy(contents, (url) => void shell.openExternal(url));
  });
}
