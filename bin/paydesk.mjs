#!/usr/bin/env node
// The PayDesk command line. TypeScript sources run through tsx, so the CLI works on a fresh clone without a build.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
