/**
 * For messages and logs: never print a password from a connection string (nor from a client's own
 * parse errors, which print the whole string, password included).
 */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
