// The one API client of the page: Electron's preload bridge when the page runs in the app,
// otherwise the serve-mode WebSocket of the server that served the page.
import { type ApiClient, createClient } from '../../src/api/client.ts';
import { electronBridge, preloadTransport } from '../../src/api/preload-transport.ts';
import { type ConnectionStatus, serveModeSocketUrl, webSocketTransport } from '../../src/api/ws-transport.ts';

export function connect(onStatus: (status: ConnectionStatus) => void): ApiClient {
  const bridge = electronBridge();
  if (bridge) {
    onStatus('open');
    return createClient(preloadTransport(bridge));
  }
  return createClient(webSocketTransport({ url: serveModeSocketUrl(window.location), onStatus }));
}

export { electronBridge };
