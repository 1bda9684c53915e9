// The Electron transport: frames through the preload's bridge (`window.constellation`). Every
// frame coming back is checked against the wire schemas here, as the main process checks every
// frame it receives. Browser-safe: no Node imports.
import type { ConstellationBridge } from './bridge.ts';
import type { Transport, TransportListener } from './client.ts';
import { ServerFrame } from './wire.ts';

/** The bridge when the page runs inside Constellation's Electron window, else undefined (serve mode). */
export function electronBridge(): ConstellationBridge | undefined {
  return (globalThis as { constellation?: ConstellationBridge }).constellation;
}

export function preloadTransport(bridge: ConstellationBridge): Transport {
  let listener: TransportListener | undefined;
  const deliver = (frame: unknown) => {
    const parsed = ServerFrame.safeParse(frame);
    if (parsed.success) listener?.frame(parsed.data);
    else console.error(`constellation API: unexpected frame from the main process: ${parsed.error.message}`);
  };
  const stopProgress = bridge.onProgress(deliver);
  return {
    send(frame) {
      if (frame.type === 'cancel') {
        bridge.cancel(frame);
        return;
      }
      bridge.invoke(frame).then(deliver, (error: unknown) =>
        // IPC itself failed (the main process is gone or refused the frame): this command cannot finish.
        deliver({
          type: 'error',
          id: frame.id,
          error: {
            code: 'internal',
            command: frame.command,
            message: `the main process did not answer: ${error instanceof Error ? error.message : String(error)}`,
          },
        }),
      );
    },
    listen(next) {
      listener = next;
      return () => {
        if (listener === next) listener = undefined;
      };
    },
    close() {
      stopProgress();
    },
  };
}
