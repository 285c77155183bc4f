// The environment `npm start` gives its three processes (plain JavaScript, like the launcher).

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * `npm start` runs the UI server beside the processing server, so unless WEBHOOK_URLS says
 * otherwise the processing server posts its events to the UI server's receiver, which the back
 * office shows at /admin/webhooks. An empty WEBHOOK_URLS turns that off; the processes started
 * one by one (`npm run start:processing`) have no endpoint unless one is set.
 */
export function withDefaultWebhook(env) {
  if (env.WEBHOOK_URLS !== undefined) return env;
  const host = env.HOST && !WILDCARD_HOSTS.has(env.HOST) ? env.HOST : '127.0.0.1';
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return { ...env, WEBHOOK_URLS: `http://${hostInUrl}:${env.UI_PORT || '3000'}/webhooks/cardlane` };
}
