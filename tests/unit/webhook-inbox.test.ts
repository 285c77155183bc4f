/** The UI server's webhook inbox: bounded, newest first, and it remembers more ids than it shows. */
import type { Event } from '../../shared/contracts/events.ts';
import { createWebhookInbox } from '../../ui-server/src/webhook-inbox.ts';

const event = (id: string) => ({ id, type: 'payment.authorized', createdAt: '2026-01-01T00:00:00.000Z', data: {} }) as unknown as Event;
const AT = new Date('2026-01-01T00:00:01.000Z');

describe('the webhook inbox', () => {
  test('when more events arrive than it keeps, then it shows the newest, still knows the dropped ones, and forgets the oldest ids past its bound', () => {
    const inbox = createWebhookInbox({ eventsMax: 2, idsMax: 3 });
    for (const id of ['evt_a', 'evt_b', 'evt_c']) expect(inbox.receive(event(id), AT)).toEqual({ duplicate: false });

    expect(inbox.list().map((entry) => entry.event.id)).toEqual(['evt_c', 'evt_b']);
    expect(inbox.receive(event('evt_a'), AT)).toEqual({ duplicate: true });
    expect(inbox.receive(event('evt_d'), AT)).toEqual({ duplicate: false });
    // Four ids seen, three remembered: the oldest is forgotten.
    expect(inbox.receive(event('evt_a'), AT)).toEqual({ duplicate: false });
  });

  test('when an event shown is delivered again, then it counts the deliveries instead of keeping it twice', () => {
    const inbox = createWebhookInbox();
    inbox.receive(event('evt_a'), AT);
    inbox.receive(event('evt_a'), AT);

    expect(inbox.list()).toEqual([{ event: event('evt_a'), receivedAt: AT.toISOString(), deliveries: 2 }]);
  });
});
