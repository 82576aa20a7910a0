#!/usr/bin/env node
// Writes src/runtimeid.ts: the id of the live widgets' renderer build, the first 16
// hex digits of sha256(kerasviz/static/widget.js + widget.css), which Python
// computes the same way (kerasviz/widgets/_bundle.py, runtime_id). The labextension
// registers its own copy of the renderer under it (src/runtime.ts), so a kernel
// whose widget.js is this build never sends it. `npm run build` runs this after
// building widget.js; with `--placeholder` it only makes sure the file exists (for
// type checks in a checkout that was never built).

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'src', 'runtimeid.ts');
const stat = join(here, '..', '..', 'kerasviz', 'static');

function write(id) {
  writeFileSync(
    out,
    '// Written by labextension/scripts/runtime_id.mjs (npm run build): do not edit.\n' +
      '/** The id of the renderer build this extension carries (runtime.ts). */\n' +
      `export const RUNTIME_ID = '${id}';\n`
  );
}

if (process.argv.includes('--placeholder')) {
  if (!existsSync(out)) {
    write('unbuilt');
  }
} else {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(stat, 'widget.js')));
  hash.update(readFileSync(join(stat, 'widget.css')));
  write(hash.digest('hex').slice(0, 16));
}
