import { hash } from 'node:crypto';

/**
 * A UUID derived from a name (RFC 9562 version 8, from SHA-256). Event ids derived from a
 * command id make a retried command produce the same events, which the store then stores once.
 */
export function deterministicUuid(name: string): string {
  const h = hash('sha256', name, 'hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
