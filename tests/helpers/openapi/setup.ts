/**
 * Jest setup for every test file: the apps tests build with createApp (all three processes)
 * record their answers, and after each test every answer is checked against the OpenAPI document
 * that same app serves at /openapi.json. An answer the document does not describe fails the test
 * that caused it, with the route, the status and what differs.
 */
import type { Express } from 'express';
import request from 'supertest';
import { DocumentChecker, describeFailure } from './conformance.ts';
import { takeRecorded } from './recorded.ts';
import { UNRECORDED_HEADER } from './recorder.ts';
import { addToTally, emptyCounts } from './tally.ts';

jest.mock('../../../processing-server/src/app.ts', () => jest.requireActual('./recorded.ts')
  .recordingModule('processing-server', jest.requireActual('../../../processing-server/src/app.ts')));
jest.mock('../../../card-network-sim/src/app.ts', () => jest.requireActual('./recorded.ts')
  .recordingModule('card-network-sim', jest.requireActual('../../../card-network-sim/src/app.ts')));
jest.mock('../../../ui-server/src/app.ts', () => jest.requireActual('./recorded.ts')
  .recordingModule('ui-server', jest.requireActual('../../../ui-server/src/app.ts')));

/** One checker per distinct document: its schemas are compiled once for the whole test file. */
const checkers = new Map<string, DocumentChecker>();
const checkerOfApp = new WeakMap<object, Promise<DocumentChecker>>();
const counts = emptyCounts();

/** The body as text: most apps serve a document seen before, which need not be parsed again. */
function keepText(response: request.Response, done: (error: Error | null, body: string) => void): void {
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => { text += chunk; });
  response.on('end', () => done(null, text));
}

async function fetchChecker(app: object): Promise<DocumentChecker> {
  const response = await request(app as Express).get('/openapi.json').set(UNRECORDED_HEADER, '1').buffer(true).parse(keepText);
  const text = response.body as string;
  if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}, so the answers cannot be checked: ${text}`);
  let checker = checkers.get(text);
  if (!checker) {
    checker = new DocumentChecker(JSON.parse(text) as Record<string, unknown>);
    checkers.set(text, checker);
  }
  return checker;
}

function checkerFor(app: object): Promise<DocumentChecker> {
  let checker = checkerOfApp.get(app);
  if (!checker) {
    checker = fetchChecker(app);
    checkerOfApp.set(app, checker);
  }
  return checker;
}

async function checkRecorded(): Promise<void> {
  const failures: string[] = [];
  for (const { app, exchange } of takeRecorded()) {
    const verdict = (await checkerFor(app)).check(exchange);
    counts[exchange.app] += 1;
    if (verdict.problems.length > 0) failures.push(describeFailure(exchange, verdict));
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} answer(s) differ from the OpenAPI document the app serves:\n${failures.join('\n')}`);
  }
}

afterEach(checkRecorded);

afterAll(async () => {
  try {
    await checkRecorded();
  } finally {
    addToTally({ testPath: expect.getState().testPath ?? 'unknown', counts });
  }
});
