// Shared by the tests of the bench's summary scripts (trace-summary.test.mjs,
// profile-summary.test.mjs): run one of test-browser/bench/*.mjs on a temporary file.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bench');

// Runs `node bench/<script> FILE ...args` with FILE (named `fileName`, in a temporary directory
// removed afterwards) holding `content`: a string as is, anything else as JSON. Returns
// spawnSync's result ({ status, stdout, stderr }, as UTF-8 text).
export function runBenchScript(script, fileName, content, ...args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${path.basename(script, '.mjs')}-`));
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  try {
    return spawnSync(process.execPath, [path.join(benchDir, script), file, ...args], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
