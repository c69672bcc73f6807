#!/usr/bin/env node
// PayDesk in a browser: the engine behind a loopback HTTP host. See electron/host/main.ts.
import { register } from 'tsx/esm/api';

register();
await import('../electron/host/main.ts');
