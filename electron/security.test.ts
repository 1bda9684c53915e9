// The Electron hardening as data: runs under plain Node, so a change that weakens the window, the
// CSP or the navigation policy fails here even on machines without Electron's binary.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import {
  appContentSecurityPolicy,
  applyNavigationPolicy,
  appOrigin,
  denyAllPermissions,
  externalLink,
  isAppUrl,
  windowOptions,
} from './security.ts';

test('the window is isolated, sandboxed, without Node, with web security on', () => {
  const { webPreferences } = windowOptions('/app/electron/preload.cjs', { width: 1280, height: 820 });
  assert.equal(webPreferences.contextIsolation, true);
  assert.equal(webPreferences.sandbox, true);
  assert.equal(webPreferences.nodeIntegration, false);
  assert.equal(webPreferences.nodeIntegrationInWorker, false);
  assert.equal(webPreferences.nodeIntegrationInSubFrames, false);
  assert.equal(webPreferences.webSecurity, true);
  assert.equal(webPreferences.allowRunningInsecureContent, false);
  assert.equal(webPreferences.webviewTag, false);
  assert.equal(webPreferences.preload, '/app/electron/preload.cjs');
});

test('the CSP loads only the app’s own code, never evaluates strings, connects nowhere else', () => {
  const directives = new Map(
    appContentSecurityPolicy.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
  assert.deepEqual(directives.get('default-src'), ["'self'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  assert.deepEqual(directives.get('connect-src'), ["'self'"]);
  assert.deepEqual(directives.get('object-src'), ["'none'"]);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(directives.get('base-uri'), ["'none'"]);
  assert.doesNotMatch(appContentSecurityPolicy, /unsafe-eval|wasm-unsafe-eval|https?:|\*/);
});

/** A stand-in for WebContents' two navigation hooks, firing events as Electron does. */
function fakeContents() {
  const events = new EventEmitter();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  const contents = {
    on: (name: string, listener: (event: { preventDefault(): void }, url: string) => void) =>
      events.on(name, listener),
    setWindowOpenHandler: (handler: typeof openHandler) => {
      openHandler = handler;
    },
  };
  const navigate = (name: string, url: string) => {
    let prevented = false;
    events.emit(name, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  return { contents, navigate, open: (url: string) => openHandler!({ url }).action };
}

test('navigation stays in the app; https links go to the browser, nothing else leaves', () => {
  const opened: string[] = [];
  const { contents, navigate, open } = fakeContents();
  applyNavigationPolicy(contents as never, (url) => opened.push(url));
  assert.equal(navigate('will-navigate', `${appOrigin}/runs`), false, 'the app’s own pages');
  assert.equal(navigate('will-navigate', 'https://example.org/paper.pdf'), true);
  assert.equal(navigate('will-navigate', 'http://example.org/'), true);
  assert.equal(navigate('will-navigate', 'file:///etc/passwd'), true);
  assert.equal(navigate('will-redirect', 'https://evil.example/'), true);
  assert.equal(navigate('will-attach-webview', 'https://example.org/'), true);
  assert.equal(open('https://arxiv.org/abs/2010.11929'), 'deny');
  assert.equal(open(`${appOrigin}/popup`), 'deny', 'no second window, even of the app');
  assert.equal(open('javascript:alert(1)'), 'deny');
  assert.deepEqual(opened, [
    'https://example.org/paper.pdf',
    'https://evil.example/',
    'https://arxiv.org/abs/2010.11929',
  ]);
});

test('only https links are external; only app:// pages are the app', () => {
  assert.equal(externalLink('https://example.org/a?b=c'), 'https://example.org/a?b=c');
  for (const url of [
    'http://example.org/',
    'file:///tmp/x',
    'javascript:alert(1)',
    'smb://host/share',
    'nonsense',
  ]) {
    assert.equal(externalLink(url), null, url);
  }
  assert.equal(isAppUrl(`${appOrigin}/index.html`), true);
  assert.equal(isAppUrl('app://constellation.evil/'), false);
  assert.equal(isAppUrl('file:///work/renderer/dist/index.html'), false);
  assert.equal(isAppUrl('http://127.0.0.1:5173/'), false);
});

test('every permission request is refused', () => {
  let request:
    | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void)
    | undefined;
  let check: (() => boolean) | undefined;
  denyAllPermissions({
    setPermissionRequestHandler: (handler: typeof request) => {
      request = handler;
    },
    setPermissionCheckHandler: (handler: typeof check) => {
      check = handler;
    },
  } as never);
  const answers: boolean[] = [];
  for (const permission of ['media', 'geolocation', 'notifications', 'openExternal']) {
    request!(null, permission, (granted) => answers.push(granted));
  }
  assert.deepEqual(answers, [false, false, false, false]);
  assert.equal(check!(), false);
});
