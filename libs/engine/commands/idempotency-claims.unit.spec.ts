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

describe('canonicalJson, which every command digest is made of', () => {
  /** A value nested `n` levels, objects and arrays in turn, with a string, a number, a null, a hole and an undefined. */
  const nested = (n: number): unknown => {
    let v: unknown = { z: 'end', a: null, m: [1, undefined, 'x'], u: undefined };
    for (let i = 0; i < n; i++) v = i % 2 ? { b: v, a: 'x' } : [v, 2];
    return v;
  };
  const deepFrozen = <T>(value: T): T => {
    if (value !== null && typeof value === 'object') {
      Object.freeze(value);
      for (const v of Object.values(value)) deepFrozen(v);
    }
    return value;
  };

  it('writes keys sorted, undefined left out (null in an array), a hole as nothing and a function left out', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [, 1];
    expect(canonicalJson({ b: 1, a: [undefined, 'é'], c: undefined, f: () => 1, s: sparse, d: new Date(0) })).toBe('{"a":[null,"é"],"b":1,"d":{},"s":[,1]}');
  });

  it('writes a frozen value it has written before the same as a fresh copy, at any depth, the cut past 64 levels included', () => {
    const frozen = deepFrozen(nested(60));
    for (let wraps = 0; wraps < 70; wraps += 1) {
      let inFrozen: unknown = frozen;
      let inFresh: unknown = structuredClone(nested(60));
      for (let i = 0; i < wraps; i++) {
        inFrozen = { w: inFrozen };
        inFresh = { w: inFresh };
      }
      expect(canonicalJson(inFrozen)).toBe(canonicalJson(inFresh));
    }
    // Written once past the cut, then where it fits whole: the kept text is not the cut one.
    expect(canonicalJson({ w: [[[[[frozen]]]]] })).toBe(canonicalJson({ w: [[[[[nested(60)]]]]] }));
    expect(canonicalJson(frozen)).toBe(canonicalJson(nested(60)));
    expect(canonicalJson(frozen)).not.toContain('"…"');
  });
});
