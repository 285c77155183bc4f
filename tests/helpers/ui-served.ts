/**
 * A UI server built for one test (tests/helpers/ui-app.ts) and listening on a free port, in front
 * of a fake processing server that decides like the real one (fakeProcessingModel), for browser
 * tests of what only the UI server and the page do: the checkout's ways to pay, the result pages
 * and the back office's pages, whatever the processing server in this tree can do yet.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestUi, type TestUi } from './ui-app.ts';
import { fakeProcessingModel, startFakeProcessing, type FakeProcessing, type FakeProcessingModel } from './ui-fake-processing.ts';

export interface ServedUi {
  url: string;
  ui: TestUi;
  processing: FakeProcessing;
  model: FakeProcessingModel;
  close(): Promise<void>;
}

export async function serveUiWithFakeProcessing(options: { env?: Record<string, string> } = {}): Promise<ServedUi> {
  const model = fakeProcessingModel();
  const processing = await startFakeProcessing(model.handler);
  const ui = buildTestUi({ processingUrls: [processing.url], ...(options.env ? { env: options.env } : {}) });
  const server = http.createServer(ui.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ui,
    processing,
    model,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await processing.close();
    },
  };
}
