/**
 * The domain owns its ports and depends on no adapter: no file under processing-server/src/domain/
 * imports a store or provider implementation, the HTTP layer, Express, axios, pg, node:sqlite,
 * cockatiel or shared/http, and none names an HTTP status. Checked by reading every import.
 */
import fs from 'node:fs';
import path from 'node:path';

const SOURCE = path.resolve(__dirname, '../../processing-server/src');
const DOMAIN = path.join(SOURCE, 'domain');
const SHARED = path.resolve(__dirname, '../../shared');

/** Packages the domain never imports. */
const FORBIDDEN_PACKAGES = ['express', 'axios', 'pg', 'node:sqlite', 'cockatiel', 'helmet', 'pino-http', 'prom-client', 'supertest'];

/** Folders and files of the processing server and of shared/ that are adapters or edges. */
const FORBIDDEN_PATHS = [
  path.join(SOURCE, 'storage'), path.join(SOURCE, 'providers'), path.join(SOURCE, 'http'), path.join(SOURCE, 'vault'),
  path.join(SOURCE, 'jobs'), path.join(SOURCE, 'cli'), path.join(SOURCE, 'app.ts'), path.join(SOURCE, 'main.ts'),
  path.join(SOURCE, 'composition.ts'), path.join(SHARED, 'http'), path.join(SHARED, 'errors.ts'),
];

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module a source text imports or re-exports, statically or dynamically. */
export function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) specifiers.push(match[1]!);
  for (const match of text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) specifiers.push(match[1]!);
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

/** Why an import breaks the rule, or null when it is allowed. */
export function forbiddenReason(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) {
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
    return FORBIDDEN_PACKAGES.includes(name) || FORBIDDEN_PACKAGES.includes(specifier) ? `the package ${specifier}` : null;
  }
  const target = path.resolve(path.dirname(file), specifier);
  const hit = FORBIDDEN_PATHS.find((forbidden) => target === forbidden || target.startsWith(`${forbidden}${path.sep}`));
  return hit ? `the adapter or edge ${path.relative(path.resolve(SOURCE, '../..'), hit)}` : null;
}

/** An HTTP status written as one: `status: 409`, `.status(404)`, `statusCode = 500`. */
const HTTP_STATUS = /\bstatus(?:Code)?\s*(?:[:=]|\()\s*[1-5]\d\d\b/;

describe('the domain depends on no adapter', () => {
  const files = sourceFiles(DOMAIN);

  test('when the rule is checked against imports that break it, then it catches each of them', () => {
    const file = path.join(DOMAIN, 'example.ts');
    const offending = importsOf([
      "import express from 'express';",
      "import type { AxiosInstance } from 'axios';",
      "import { DatabaseSync } from 'node:sqlite';",
      "import pg from 'pg';",
      "export { openStore } from '../storage/index.ts';",
      "import { createCardNetworkClient } from '../providers/card-network-client.ts';",
      "import { requireBearerKey } from '../../../shared/http/auth.ts';",
      "const lazy = await import('../http/domain-errors.ts');",
    ].join('\n'));

    expect(offending).toHaveLength(8);
    for (const specifier of offending) expect(forbiddenReason(file, specifier)).not.toBeNull();
    expect(forbiddenReason(file, './ports/store.ts')).toBeNull();
    expect(forbiddenReason(file, '../../../shared/contracts/processing.ts')).toBeNull();
    expect(HTTP_STATUS.test('throw new AppError({ code, status: 409, message })')).toBe(true);
  });

  test('when every file under domain/ is read, then none imports a store, a provider, the HTTP layer, Express, axios, pg, node:sqlite or shared/http', () => {
    expect(files.length).toBeGreaterThan(20);
    const violations = files.flatMap((file) => importsOf(fs.readFileSync(file, 'utf8'))
      .map((specifier) => ({ specifier, reason: forbiddenReason(file, specifier) }))
      .filter((found) => found.reason !== null)
      .map((found) => `${path.relative(SOURCE, file)} imports ${found.reason}`));

    expect(violations).toEqual([]);
  });

  test('when every file under domain/ is read, then none names an HTTP status', () => {
    const naming = files.filter((file) => HTTP_STATUS.test(fs.readFileSync(file, 'utf8'))).map((file) => path.relative(SOURCE, file));

    expect(naming).toEqual([]);
  });

  test('when the ports are read, then the store, the providers and the vault\'s saved cards are declared in the domain', () => {
    const ports = fs.readdirSync(path.join(DOMAIN, 'ports')).sort();

    expect(ports).toEqual(['provider.ts', 'saved-cards.ts', 'store.ts', 'vault.ts']);
  });
});
