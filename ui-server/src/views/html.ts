/**
 * A tiny HTML template tag: every interpolated value is escaped unless it is already SafeHtml
 * (the output of another `html` template). Pages are built only with it, so forgetting to
 * escape a value is not possible.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

export class SafeHtml {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

export interface PageOptions {
  title: string;
  /** Sends the browser to `refreshUrl` (or reloads) after this many seconds; no script needed. */
  refreshSeconds?: number;
  refreshUrl?: string;
}

export interface DocumentOptions {
  /** The whole <title>. */
  title: string;
  /** Same-origin stylesheets after /base.css, in order. */
  stylesheets: string[];
  /** Same-origin scripts, deferred, in order (the CSP allows no inline script). */
  scripts?: string[];
  /** Reloads after this many seconds, to `refreshUrl` when given; no script needed. */
  refreshSeconds?: number | undefined;
  refreshUrl?: string | undefined;
}

/** The HTML document every page of the UI server is: head, shared stylesheet, then the body. */
export function htmlDocument(options: DocumentOptions, body: SafeHtml): string {
  const refresh = options.refreshSeconds === undefined
    ? ''
    : html`<meta http-equiv="refresh" content="${options.refreshSeconds}${options.refreshUrl ? `;url=${options.refreshUrl}` : ''}">`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}
<title>${options.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/base.css">
${options.stylesheets.map((href) => html`<link rel="stylesheet" href="${href}">\n`)}${(options.scripts ?? []).map((src) => html`<script defer src="${src}"></script>\n`)}</head>
<body>
${body}
</body>
</html>
`.value;
}

/** The frame of every server-rendered checkout page: the checkout's stylesheets, no script, no inline style. */
export function page(options: PageOptions, body: SafeHtml): string {
  return htmlDocument(
    { title: `${options.title} · cardlane checkout`, stylesheets: ['/payment.css'], refreshSeconds: options.refreshSeconds, refreshUrl: options.refreshUrl },
    html`<main class="result">
${body}
</main>`,
  );
}
