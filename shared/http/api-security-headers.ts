/**
 * The security headers of the machine-to-machine APIs (the processing server; the card network
 * simulator's API): helmet, kept to what matters if a browser ever opens one of their JSON
 * answers: nothing may load or frame it (CSP `default-src 'none'; frame-ancestors 'none'`,
 * X-Frame-Options DENY), it is never sniffed as another type (nosniff), never read by another
 * origin's page (Cross-Origin-Resource-Policy), and HTTPS is kept once used (HSTS). The headers
 * that steer how a browser treats a document it shows (opener and agent isolation, referrers,
 * DNS prefetching, downloads, Flash policies, the XSS auditor) are left out: no caller of these
 * APIs is a browser, and each header costs the caller's HTTP client work on every answer
 * (docs/PERFORMANCE-HISTORY.md). Pages that browsers do show keep helmet's full set.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export function apiSecurityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}
