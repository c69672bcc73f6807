#!/usr/bin/env node
// npm run bench: PayDesk's benchmarks (not part of npm test). See test/bench/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../test/bench/main.ts');
process.exitCode = await main(process.argv.slice(2));
