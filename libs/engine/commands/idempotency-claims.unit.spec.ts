import { canonicalJson, requestFingerprint } from './idempotency-claims.js';

describe('the request fingerprint an Idempotency-Key is claimed with', () => {
  it('is the same for the same request whatever the order of its keys, and differs for another path, method or body', () => {
    const a = requestFingerprint('PUT', '/api/v1/plans/p/reporting/reports/u/2023-04/draft', { lines: [{ a: 1, b: 2 }] });
    expect(requestFingerprint('put', '/api/v1/plans/p/reporting/reports/u/2023-04/draft', { lines: [{ b: 2, a: 1 }] })).toBe(a);
    expect(requestFingerprint('PUT', '/api/v1/plans/p/reporting/reports/u/2023-05/draft', { lines: [{ a: 1, b: 2 }] })).not.toBe(a);
    expect(requestFingerprint('POST', '/api/v1/plans/p/reporting/reports/u/2023-04/draft', { lines: [{ a: 1, b: 2 }] })).not.toBe(a);
    expect(requestFingerprint('PUT', '/api/v1/plans/p/reporting/reports/u/2023-04/draft', { lines: [{ a: 1, b: 3 }] })).not.toBe(a);
  });

  it('fingerprints a body of 20,000 nested arrays without overflowing the stack (the fuzz found the 500)', () => {
    const deep = JSON.parse('['.repeat(20_000) + ']'.repeat(20_000)) as unknown;
    expect(requestFingerprint('DELETE', '/api/v1/users/x/roles/office', deep)).toMatch(/^[0-9a-f]{64}$/);
    expect(canonicalJson(deep).length).toBeLessThan(200);
  });

  it('hashes raw bytes (an uploaded workbook) by their content', () => {
    expect(requestFingerprint('POST', '/x', Buffer.from('a'))).not.toBe(requestFingerprint('POST', '/x', Buffer.from('b')));
  });
});
