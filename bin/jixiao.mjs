#!/usr/bin/env node
// `npx jixiao …`: the command line, built first only when its sources changed (bin/ensure-built.mjs).
import { ensureBuilt } from './ensure-built.mjs';

ensureBuilt(['server'], { quiet: true });
await import('../dist/apps/api/src/cli.js');
