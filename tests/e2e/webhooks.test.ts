/**
 * End to end, with the real processes: a payment's event committed by a processing server that is
 * killed (SIGKILL) before it delivered anything still reaches the UI server's webhook receiver
 * once the server is started again, signed with the shared WEBHOOK_SECRET, and the back office
 * shows it.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import axios from 'axios';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { NETWORK_KEY, PROCESSING_KEY, freePort, startService, stopService, type RunningService } from '../helpers/processes.ts';

const SECRET = 'e2e-webhook-secret';
/** A bound on waiting for the delivery: the dispatcher's first pass runs at start-up. */
const DELIVERY_WAIT_MS = 30_000;

describe('end to end: webhooks across a crash', () => {
  const dataDir = makeTempDir('e2e-webhooks');
  const services: RunningService[] = [];

  afterAll(async () => {
    await Promise.all(services.map((service) => stopService(service)));
    removeDir(dataDir);
  });

  test('when the processing server is killed after the payment committed and before any delivery, then the restarted server delivers its event', async () => {
    const common = { DATA_DIR: dataDir, NETWORK_API_KEY: NETWORK_KEY, PROCESSING_API_KEY: PROCESSING_KEY, WEBHOOK_SECRET: SECRET };
    const network = await startService('network', { ...common, NETWORK_PORT: '0' });
    services.push(network);
    const processingPort = await freePort();
    const ui = await startService('ui', {
      ...common, UI_PORT: '0', PROCESSING_URL: `http://127.0.0.1:${processingPort}`, UI_RATE_LIMIT_PER_MINUTE: '0', ADMIN_PASSWORD: 'e2e-password',
    });
    services.push(ui);
    const processingEnv = {
      ...common, PROCESSING_PORT: String(processingPort), NETWORK_URL: network.url, SETTLEMENT_CRON: 'off', WEBHOOK_URLS: `${ui.url}/webhooks/cardlane`,
    };
    // The first server runs no jobs: it commits the payment and its event, and never delivers.
    const first = await startService('processing', { ...processingEnv, JOBS_ENABLED: 'false' });
    services.push(first);
    const requestId = `e2e-checkout-${randomUUID()}`;
    const checkout = await axios.post(`${ui.url}/make-payment`, {
      cardholderName: 'Grace Hopper', cardNumber: '4242 4242 4242 4242', expiry: '12/34', cvv: '123', amount: '25.00', currency: 'USD', idempotencyKey: randomUUID(),
    }, { headers: { Accept: 'application/json', 'X-Request-Id': requestId }, validateStatus: () => true });
    expect(checkout.data).toMatchObject({ status: 'approved' });
    const paymentId = String(checkout.data.paymentId);

    await stopService(first, 'SIGKILL');
    const second = await startService('processing', processingEnv);
    services.push(second);

    const api = axios.create({ baseURL: second.url, headers: { Authorization: `Bearer ${PROCESSING_KEY}` }, validateStatus: () => true });
    const [event] = (await api.get(`/v1/payments/${paymentId}/events`)).data.data as Array<{ id: string; type: string; cause: string }>;
    expect(event).toMatchObject({ type: 'payment.authorized', cause: `request:${requestId}` });
    let attempts: Array<{ status: string; attempt: number }> = [];
    for (const deadline = Date.now() + DELIVERY_WAIT_MS; Date.now() < deadline && attempts.length === 0; await sleep(200)) {
      attempts = (await api.get(`/v1/webhook-deliveries?eventId=${event!.id}`)).data.data;
    }
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'delivered', responseStatus: 200, url: `${ui.url}/webhooks/cardlane` })]);

    const login = await axios.post(`${ui.url}/admin/login`, new URLSearchParams({ user: 'admin', password: 'e2e-password', next: '/admin/webhooks' }).toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, maxRedirects: 0, validateStatus: () => true,
    });
    const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    const page = await axios.get(`${ui.url}/admin/webhooks`, { headers: { Cookie: cookie }, validateStatus: () => true });
    expect(page.status).toBe(200);
    expect(page.data).toContain(event!.id);
    expect(page.data).toContain(`/admin/payments/${paymentId}`);
    expect(ui.lines.join('\n')).toContain('"msg":"webhook received"');
  }, 90_000);
});
