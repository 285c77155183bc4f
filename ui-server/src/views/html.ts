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

/** The frame of every server-rendered page: the checkout's stylesheets, no script, no inline style. */
export function page(options: PageOptions, body: SafeHtml): string {
  const refresh = options.refreshSeconds === undefined
    ? ''
    : html`<meta http-equiv="refresh" content="${options.refreshSeconds}${options.refreshUrl ? `;url=${options.refreshUrl}` : ''}">`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}
<title>${options.title} · cardlane checkout</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/base.css">
<link rel="stylesheet" href="/payment.css">
</head>
<body>
<main class="result">
${body}
</main>
</body>
</html>
`.value;
}
