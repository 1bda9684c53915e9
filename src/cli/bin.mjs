#!/usr/bin/env node
// The `constellation` command. The core is TypeScript run through tsx's loader, so the
// installed package, the tests and the CLI all execute the same sources with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
