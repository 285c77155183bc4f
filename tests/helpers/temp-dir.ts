/** A fresh directory per test file under the OS temp dir, removed by the caller. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cardlane-${prefix}-`));
}

export function removeDir(directory: string): void {
  fs.rmSync(directory, { recursive: true, force: true });
}

/** Every byte of every file under `directory`, for scanning stored data for card numbers. */
export function readAllBytes(directory: string): Buffer {
  const chunks: Buffer[] = [];
  for (const entry of fs.readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) chunks.push(fs.readFileSync(path.join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(chunks);
}
