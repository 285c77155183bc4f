/**
 * Back-office sessions: a random id in an httpOnly cookie, the session itself in this process's
 * memory. The UI server is otherwise stateless, and a restart only means the merchant logs in
 * again, so a shared store would buy little; with several UI instances behind a balancer, pin
 * /admin/ to one of them (or accept a login per instance).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';

export type FlashKind = 'success' | 'error' | 'info';

export interface Flash {
  kind: FlashKind;
  message: string;
}

export interface AdminSession {
  readonly id: string;
  readonly user: string;
  /** Sent back in every form of this session and compared on every POST. */
  readonly csrfToken: string;
  readonly createdAtMs: number;
  lastSeenMs: number;
  /** One message for the next page shown (after a redirect), then forgotten. */
  flash: Flash | undefined;
}

export interface SessionStoreOptions {
  clock: Clock;
  /** A session unused for this long is over. */
  idleTimeoutMs?: number;
  /** A session is over this long after login, however busy. */
  lifetimeMs?: number;
  /** Memory bound: past it, the least recently used session is dropped. */
  sessionsMax?: number;
}

export interface SessionStore {
  create(user: string): AdminSession;
  /** The live session with this id, its idle timer restarted; undefined when unknown or expired. */
  get(id: string | undefined): AdminSession | undefined;
  destroy(id: string | undefined): void;
  size(): number;
}

export const SESSION_IDLE_TIMEOUT_MS = 30 * 60_000;
export const SESSION_LIFETIME_MS = 8 * 60 * 60_000;
const SESSIONS_MAX = 1_000;

function randomToken(): string {
  // 256 bits: not guessable, and URL/cookie safe.
  return randomBytes(32).toString('base64url');
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const idleTimeoutMs = options.idleTimeoutMs ?? SESSION_IDLE_TIMEOUT_MS;
  const lifetimeMs = options.lifetimeMs ?? SESSION_LIFETIME_MS;
  const sessionsMax = options.sessionsMax ?? SESSIONS_MAX;
  // A Map keeps insertion order; get() re-inserts, so the first entry is the least recently used.
  const sessions = new Map<string, AdminSession>();
  const nowMs = () => options.clock.now().getTime();
  const expired = (session: AdminSession, now: number) =>
    now - session.lastSeenMs > idleTimeoutMs || now - session.createdAtMs > lifetimeMs;

  function sweep(now: number): void {
    for (const [id, session] of sessions) if (expired(session, now)) sessions.delete(id);
    while (sessions.size >= sessionsMax) {
      const oldest = sessions.keys().next();
      if (oldest.done) break;
      sessions.delete(oldest.value);
    }
  }

  return {
    create(user) {
      const now = nowMs();
      sweep(now);
      const session: AdminSession = {
        id: randomToken(), user, csrfToken: randomToken(), createdAtMs: now, lastSeenMs: now, flash: undefined,
      };
      sessions.set(session.id, session);
      return session;
    },
    get(id) {
      if (id === undefined) return undefined;
      const session = sessions.get(id);
      if (!session) return undefined;
      const now = nowMs();
      sessions.delete(id);
      if (expired(session, now)) return undefined;
      session.lastSeenMs = now;
      sessions.set(id, session);
      return session;
    },
    destroy(id) {
      if (id !== undefined) sessions.delete(id);
    },
    size: () => sessions.size,
  };
}

export function takeFlash(session: AdminSession): Flash | undefined {
  const flash = session.flash;
  session.flash = undefined;
  return flash;
}
