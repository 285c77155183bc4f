/** Reading the few cookies the UI server sets (no dependency needed for that). */
import type { Request } from 'express';

/** The value of one cookie from the Cookie header. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at === -1) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
