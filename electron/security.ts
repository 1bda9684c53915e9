// Everything that keeps the Electron window a plain, locked-down web page, in one module that
// electron/security.test.ts checks under Node (no Electron binary needed), so none of it regresses:
// the BrowserWindow options, the Content-Security-Policy, navigation and new-window policy,
// external links and permissions. Only `import type` from electron: this file runs without it.
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { contentSecurityPolicy } from '../src/server/security-headers.ts';

/** The renderer is served from this privileged scheme, never from file:// (whose origin is every file). */
export const appScheme = 'app';
const appHost = 'constellation';
export const appOrigin = `${appScheme}://${appHost}`;

export function windowOptions(
  preload: string,
  bounds: { width: number; height: number; x?: number; y?: number },
) {
  return {
    ...bounds,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Constellation',
    backgroundColor: '#101418',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  } satisfies BrowserWindowConstructorOptions;
}

/** Set as a response header on every file of the app:// protocol: the API goes through IPC, so nothing to connect to. */
export const appContentSecurityPolicy = contentSecurityPolicy();

/** Pages of the app itself; everything else is somewhere the window never goes. */
export function isAppUrl(url: string): boolean {
  try {
    // Node's URL gives non-special schemes an opaque origin ('null'), so compare the parts.
    const parsed = new URL(url);
    return parsed.protocol === `${appScheme}:` && parsed.host === appHost;
  } catch {
    return false;
  }
}

/** The only links handed to the user's browser: https, nothing else (no file:, no custom schemes). */
export function externalLink(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

type NavigationEvents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * The window stays on the app: navigating away is prevented (an https link goes to the user's
 * browser instead), new windows are denied likewise, and <webview> is never attached.
 */
export function applyNavigationPolicy(contents: NavigationEvents, openExternal: (url: string) => void): void {
  const leave = (event: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    const link = externalLink(url);
    if (link) openExternal(link);
  };
  contents.on('will-navigate', leave);
  contents.on('will-redirect', leave);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const link = externalLink(url);
    if (link) openExternal(link);
    return { action: 'deny' };
  });
}

/** The app asks for no camera, microphone, notifications, geolocation...: every request is refused. */
export function denyAllPermissions(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
