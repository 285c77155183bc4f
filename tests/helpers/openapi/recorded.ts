/**
 * The answers recorded in this test file so far, with the app that gave each. The jest setup
 * (setup.ts) swaps each app module's createApp for `recordingModule`'s, so every app a test
 * builds records into this list, however the test builds it.
 */
import type { AppName, Exchange } from './conformance.ts';
import { recordAnswers } from './recorder.ts';

export interface Recorded {
  app: object;
  exchange: Exchange;
}

const recorded: Recorded[] = [];

function currentTest(): string | undefined {
  return expect.getState().currentTestName;
}

/** The app module with a createApp whose apps record their answers. */
export function recordingModule<Module extends { createApp: (...args: never[]) => object }>(name: AppName, actual: Module): Module {
  const createApp = (...args: Parameters<Module['createApp']>) => {
    const app = actual.createApp(...args);
    return recordAnswers(app, name, (exchange) => recorded.push({ app, exchange }), currentTest);
  };
  return { ...actual, __esModule: true, createApp };
}

/** Hands over what was recorded since the last call. */
export function takeRecorded(): Recorded[] {
  return recorded.splice(0);
}
