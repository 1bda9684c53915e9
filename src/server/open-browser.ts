// --open: the user's default browser, with whatever this platform uses to open a URL. A missing
// opener (a server without a desktop) is not an error; the URL is printed anyway.
import { spawn } from 'node:child_process';

export function openBrowser(url: string): Promise<{ opened: boolean; reason?: string }> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', (error) => resolve({ opened: false, reason: `${command}: ${error.message}` }));
    child.once('spawn', () => {
      child.unref();
      resolve({ opened: true });
    });
  });
}
