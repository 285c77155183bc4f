/**
 * The frame of every back-office page: the shared base.css and its own stylesheet, a navigation
 * bar with logout, the one-time flash message, and only same-origin scripts (the CSP allows no
 * inline script).
 */
import { maskedLabel } from '../../../../shared/cards.ts';
import type { MaskedCard } from '../../../../shared/contracts/common.ts';
import type { Payment } from '../../../../shared/contracts/processing.ts';
import type { AdminSession, Flash } from '../../admin/sessions.ts';
import { html, htmlDocument, type SafeHtml } from '../html.ts';
import { moneyText } from '../money-text.ts';

export type Section = 'payments' | 'settlements' | 'activity' | 'webhooks';

export interface AdminPageOptions {
  title: string;
  /** Absent on the login page. */
  session?: AdminSession;
  section?: Section;
  flash?: Flash | undefined;
  /** Reloads the page after this many seconds (a running settlement), without script. */
  refreshSeconds?: number;
  /** Extra same-origin scripts, in order (deferred). */
  scripts?: string[];
}

const NAV: Array<[Section, string, string]> = [
  ['payments', 'Payments', '/admin/payments'],
  ['settlements', 'Settlements', '/admin/settlements'],
  ['activity', 'Activity', '/admin/activity'],
  ['webhooks', 'Webhooks', '/admin/webhooks'],
];

function header(options: AdminPageOptions): SafeHtml {
  const session = options.session;
  if (!session) return html`<header class="topbar"><span class="brand">cardlane <span class="brand-sub">back office</span></span></header>`;
  return html`<header class="topbar">
<span class="brand">cardlane <span class="brand-sub">back office</span></span>
<nav aria-label="Back office"><ul>${NAV.map(([section, label, href]) => html`<li><a href="${href}"${section === options.section ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>
<form class="logout" method="post" action="/admin/logout">
<input type="hidden" name="csrfToken" value="${session.csrfToken}">
<span class="user">${session.user}</span> <button type="submit" class="link-button">Log out</button>
</form>
</header>`;
}

function flashBox(flash: Flash | undefined): SafeHtml {
  if (!flash) return html``;
  const role = flash.kind === 'error' ? 'alert' : 'status';
  return html`<div class="flash flash-${flash.kind}" role="${role}">${flash.message}</div>`;
}

export function adminPage(options: AdminPageOptions, body: SafeHtml): string {
  return htmlDocument(
    {
      title: `${options.title} · cardlane back office`, stylesheets: ['/admin/admin.css'],
      scripts: ['/admin/admin.js', ...(options.scripts ?? [])], refreshSeconds: options.refreshSeconds,
    },
    html`${header(options)}
<main class="admin">
${flashBox(options.flash)}
${body}
</main>`,
  );
}

/** "USD 12,345.67": every back-office page shows amounts this one way (minor units past the UI server). */
export const money = moneyText;

/** "2026-01-15 12:00:05 UTC": one unambiguous zone for every merchant reading the page. */
export function dateTime(iso: string | null | undefined, options: { zone?: boolean } = {}): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString().slice(0, 19).replace('T', ' ');
  return options.zone === false ? text : `${text} UTC`;
}

export function cardLabel(card: MaskedCard): string {
  return maskedLabel(card.brand, card.last4);
}

/**
 * What paid, in a few words: "Visa •••• 4242", "Saved card Visa •••• 4242", or "Points
 * PTS-0000-0001" (the merchant sees the whole account; shoppers' pages mask it).
 */
export function paidWithLabel(payment: Payment): string {
  switch (payment.paymentMethod) {
    case 'points':
      return `Points ${payment.points.accountId}`;
    case 'saved_card':
      return `Saved card ${cardLabel(payment.card)}`;
    case 'card':
      return cardLabel(payment.card);
  }
}

export function statusBadge(status: string): SafeHtml {
  return html`<span class="badge badge-${status.replace(/[^a-z_]/g, '')}">${status.replaceAll('_', ' ')}</span>`;
}

/** The hidden fields every back-office form posts. */
export function formTokens(session: AdminSession, idempotencyKey?: string): SafeHtml {
  return html`<input type="hidden" name="csrfToken" value="${session.csrfToken}">${idempotencyKey ? html`<input type="hidden" name="idempotencyKey" value="${idempotencyKey}">` : ''}`;
}

/** A link to the next page of a cursor-paged list, keeping the other query parameters. */
export function pageLinks(path: string, query: Record<string, string | undefined>, cursorName: string, next: string | undefined): SafeHtml {
  const params = (cursor: string | undefined) => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value && name !== cursorName) search.set(name, value);
    if (cursor) search.set(cursorName, cursor);
    const text = search.toString();
    return text ? `${path}?${text}` : path;
  };
  const first = query[cursorName] ? html`<a class="button button-secondary" href="${params(undefined)}">« First page</a>` : '';
  const after = next ? html`<a class="button button-secondary" href="${params(next)}" rel="next">Next page »</a>` : '';
  if (!first && !after) return html``;
  return html`<nav class="pager" aria-label="Pages">${first}${after}</nav>`;
}
