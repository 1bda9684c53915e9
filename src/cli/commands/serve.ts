import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { dispatch } from '../../api/dispatcher.ts';
import { ApiError } from '../../api/schema/errors.ts';
import { type CommonFlags, commonOptions, withCommonOptions } from '../common-options.ts';
import { ProgressLine } from '../progress-line.ts';

interface ServeFlags extends CommonFlags {
  port?: number;
  open?: boolean;
  demo?: boolean;
}

/** Where the demo workspace lives when no --workspace is given; the same place Electron's userData points to. */
function userDataDir(): string {
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Constellation');
  if (process.platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'Constellation');
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Constellation');
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ApiError({
      code: 'invalid-input',
      message: `--port: ${value} is not a port number (0-65535; 0 picks a free one)`,
    });
  }
  return port;
}

/** `constellation serve`: the UI in a browser, on this machine's loopback only, until Ctrl-C. */
export function registerServe(program: Command): void {
  withCommonOptions(
    program
      .command('serve')
      .description(
        'serve the UI over HTTP and the API over WebSocket on 127.0.0.1 (reach it from elsewhere through an SSH tunnel); prints the address with its token',
      )
      .addOption(new Option('--port <port>', 'the port (default: a free one)').argParser(parsePort))
      .option('--open', "open the address in this machine's browser")
      .option(
        '--demo',
        'serve the demo workspace (built on first use; in the user data folder unless --workspace)',
      ),
  ).action(async (flags: ServeFlags) => {
    const common =
      flags.demo && !flags.workspace
        ? commonOptions({ ...flags, workspace: join(userDataDir(), 'demo.constellation') })
        : commonOptions(flags);
    if (flags.demo) {
      // Said on stderr: stdout holds only the address (one JSON object with --json).
      const progress = new ProgressLine(common.progress);
      const demo = await dispatch(
        'demo.build',
        { force: false },
        {
          workspace: common.workspace,
          onProgress: (event) => progress.update(event, (e) => `demo: ${(e as { step: string }).step}`),
        },
      );
      progress.finish();
      process.stderr.write(`${demo.built ? 'built the' : 'using the'} demo workspace ${demo.workspace}\n`);
    }
    const { startServer } = await import('../../server/server.ts');
    const server = await startServer({ workspace: common.workspace, port: flags.port ?? 0 });
    process.stdout.write(
      common.json
        ? `${JSON.stringify({ url: server.url, port: server.port, workspace: common.workspace })}\n`
        : `Constellation is serving ${common.workspace}\n  ${server.url}\n(Ctrl-C stops it; running training is checkpointed and paused)\n`,
    );
    if (flags.open) {
      const { openBrowser } = await import('../../server/open-browser.ts');
      const opened = await openBrowser(server.url);
      if (!opened.opened)
        process.stderr.write(`could not open a browser (${opened.reason}); open the address above\n`);
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.stderr.write('stopping: pausing running commands...\n');
        void server.close({ pause: true }).then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });
}
