/**
 * The docs stand alone and say what the servers do: docs/API.md lists exactly the problem codes
 * the three OpenAPI documents name, and no doc points outside the repository or talks about how
 * the work was organised.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestNetwork } from '../helpers/network-sim.ts';
import { createProcessingHarness } from '../helpers/processing.ts';
import { buildTestUi } from '../helpers/ui-app.ts';

const ROOT = path.resolve(__dirname, '../..');

/** Every `code` a problem body of the document may carry (problem schemas pin it with `const`). */
function problemCodes(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (value === null || typeof value !== 'object') return found;
  const schema = value as { properties?: { code?: { const?: unknown }; type?: { const?: unknown } } };
  const code = schema.properties?.code?.const;
  if (typeof code === 'string' && typeof schema.properties?.type?.const === 'string') found.add(code);
  for (const member of Object.values(value)) problemCodes(member, found);
  return found;
}

/** The codes in the first column of docs/API.md's table of errors. */
function documentedCodes(): Set<string> {
  const text = fs.readFileSync(path.join(ROOT, 'docs/API.md'), 'utf8');
  const errors = text.slice(text.indexOf('## Errors'), text.indexOf('\n## ', text.indexOf('## Errors') + 1));
  return new Set([...errors.matchAll(/^\| `([a-z_]+)` \| [0-9, ]+ \|/gm)].map((match) => match[1] as string));
}

function repositoryDocs(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => path.join('docs', name));
  const readmes = ['ui-server', 'processing-server', 'card-network-sim'].map((folder) => path.join(folder, 'README.md')).filter((file) => fs.existsSync(path.join(ROOT, file)));
  return ['README.md', '.env.example', ...docs, ...readmes];
}

describe('docs/API.md and the docs around it', () => {
  test('when the table of problem codes is compared with the three OpenAPI documents, then it lists exactly their codes', async () => {
    const processing = await createProcessingHarness();
    const network = createTestNetwork();
    const ui = buildTestUi({ processingUrls: ['http://127.0.0.1:9'] });
    try {
      const documents = await Promise.all([processing.app, network.app, ui.app].map((app) => request(app).get('/openapi.json')));
      const served = new Set<string>();
      for (const document of documents) problemCodes(document.body, served);

      expect(served.size).toBeGreaterThan(30);
      expect([...documentedCodes()].sort()).toEqual([...served].sort());
    } finally {
      await processing.close();
      network.close();
    }
  });

  test.each(repositoryDocs())('when %s is read, then it names no outside document and nothing about how the work was organised', (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const outside = [/\bSPEC\b/, /\.\.\/shared/, /\bthis task\b/i, /\bround[ -][0-9]\b/i, /\b(first|second|third) session\b/i, /\bthe original code\b/i, /\bissue [0-9]+\b/i];

    expect(outside.filter((pattern) => pattern.test(text)).map(String)).toEqual([]);
  });

  test.each(repositoryDocs().filter((file) => file.endsWith('.md')))('when %s is read, then every relative link leads to a file, and every #anchor to a heading there', (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const broken = relativeLinks(text).filter((link) => !linkResolves(path.dirname(path.join(ROOT, file)), link, text));

    expect(broken).toEqual([]);
  });
});

/** `[text](target)` targets that are not web addresses, outside code spans and fenced blocks. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '').filter((target) => !/^[a-z]+:/i.test(target));
}

/** The anchors GitHub makes of a file's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchors(markdown: string): Set<string> {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((match) => (match[1] ?? '')
    .toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

function linkResolves(folder: string, link: string, ownText: string): boolean {
  const [target = '', anchor] = link.split('#');
  const file = target === '' ? undefined : path.resolve(folder, decodeURIComponent(target));
  if (file !== undefined && !fs.existsSync(file)) return false;
  if (anchor === undefined || anchor === '') return true;
  if (file !== undefined && !file.endsWith('.md')) return true;
  return headingAnchors(file === undefined ? ownText : fs.readFileSync(file, 'utf8')).has(anchor);
}
