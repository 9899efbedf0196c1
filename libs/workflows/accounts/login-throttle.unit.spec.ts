import { addressKey, LoginAttempts } from './login-throttle.js';

describe('LoginAttempts (a ThrottlerStorage in memory)', () => {
  let now = 1_000_000;
  const attempts = () => new LoginAttempts(() => now);

  it('counts hits in a sliding window and blocks once they exceed the limit, for the block duration', async () => {
    const a = attempts();
    for (let i = 1; i <= 3; i++) expect(await a.increment('k', 60_000, 3, 30_000, 'n')).toMatchObject({ totalHits: i, isBlocked: false, timeToBlockExpire: 0 });
    expect(await a.blockedFor('k')).toBe(0);
    expect(await a.increment('k', 60_000, 3, 30_000, 'n')).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    expect(await a.blockedFor('k')).toBe(30);
    now += 10_000;
    // Blocked attempts are refused and not counted.
    expect(await a.increment('k', 60_000, 3, 30_000, 'n')).toMatchObject({ isBlocked: true, timeToBlockExpire: 20 });
    now += 20_000;
    expect(await a.blockedFor('k')).toBe(0);
    expect(await a.increment('k', 60_000, 3, 30_000, 'n')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('forgets hits older than the window', async () => {
    const a = attempts();
    await a.increment('k', 60_000, 2, 60_000, 'n');
    now += 30_000;
    await a.increment('k', 60_000, 2, 60_000, 'n');
    now += 31_000; // the first hit has left the window
    expect(await a.increment('k', 60_000, 2, 60_000, 'n')).toMatchObject({ totalHits: 2, isBlocked: false, timeToExpire: 29 });
  });

  it('keeps keys apart', async () => {
    const a = attempts();
    await a.increment('a', 1000, 0, 1000, 'n');
    expect(await a.blockedFor('a')).toBe(1);
    expect(await a.blockedFor('b')).toBe(0);
  });
});

describe('addressKey', () => {
  it('keeps IPv4 (also IPv4-mapped) and groups IPv6 by its /64', () => {
    expect(addressKey('10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8:0:1:bbbb:cccc:dddd:eeee')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});
