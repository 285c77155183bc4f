/**
 * The card issuer's 3-D Secure challenge page as HTML: plain, accessible, no script and no
 * style, so it works without JavaScript under a strict Content-Security-Policy. Rendering only;
 * routes/challenge.ts decides which page to answer.
 */
import { BRAND_NAMES } from '../../shared/cards.ts';
import { formatMoney } from '../../shared/money.ts';
import { CHALLENGE_CODE } from './authentication.ts';
import type { AuthenticationRow } from './storage/authentication-store.ts';

/** The simulated issuer of every test card. */
export const ISSUER_NAME = 'Cardlane Test Bank';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function paymentDetails(authentication: AuthenticationRow): string {
  return `<dl>
<dt>Merchant</dt><dd>${escapeHtml(authentication.merchantName)}</dd>
<dt>Amount</dt><dd>${escapeHtml(formatMoney(authentication.amount, authentication.currency))}</dd>
<dt>Card</dt><dd>${escapeHtml(BRAND_NAMES[authentication.cardBrand])} ending in ${escapeHtml(authentication.cardLast4)}</dd>
</dl>`;
}

/**
 * The open challenge. The form has no action, so it posts back to the page's own address (also
 * behind a proxy that mounts the simulator under a path); Cancel skips the code's validation.
 */
export function challengePage(authentication: AuthenticationRow): string {
  return page(`Verify your payment – ${ISSUER_NAME}`, `<h1>${ISSUER_NAME}: verify your payment</h1>
<p>${escapeHtml(authentication.merchantName)} asks us to confirm that it is you paying.</p>
${paymentDetails(authentication)}
<form method="post">
<p><label for="code">One-time code</label></p>
<p id="code-hint">Enter the 6-digit code we sent to the phone number on file for this card. This is a test issuer: the code is ${CHALLENGE_CODE}.</p>
<p><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" maxlength="12" required aria-describedby="code-hint"></p>
<p><button type="submit" name="action" value="verify">Verify</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button></p>
</form>`);
}

/** An authentication already decided: nothing to answer any more, only the way back. */
export function finishedPage(authentication: AuthenticationRow): string {
  const outcome = authentication.status === 'authenticated'
    ? 'This payment has been verified.'
    : 'This verification has failed; the payment cannot go ahead with it.';
  return page(`Verification finished – ${ISSUER_NAME}`, `<h1>${ISSUER_NAME}: verification finished</h1>
<p>${outcome}</p>
${paymentDetails(authentication)}
<p><a href="${escapeHtml(authentication.returnUrl)}">Return to ${escapeHtml(authentication.merchantName)}</a></p>`);
}

export function notFoundPage(): string {
  return page(`Verification not found – ${ISSUER_NAME}`, `<h1>${ISSUER_NAME}: verification not found</h1>
<p>There is no verification at this address. Go back to the shop and start the payment again.</p>`);
}

export function refusedPage(): string {
  return page(`Request refused – ${ISSUER_NAME}`, `<h1>${ISSUER_NAME}: request refused</h1>
<p>A verification can only be answered from its own page.</p>`);
}
