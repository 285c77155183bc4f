/**
 * How a webhook endpoint is shown. Its URL may carry a user name and password (the endpoint's
 * own authentication) or a token in its query; the API shows it without the first, logs without
 * either.
 */

/** The URL without a user name or password: what GET /v1/webhook-deliveries shows. */
export function endpointForDisplay(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(unreadable URL)';
  }
}

/** Scheme, host and path only: what a log line may name. */
export function endpointForLogs(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unreadable URL)';
  }
}
