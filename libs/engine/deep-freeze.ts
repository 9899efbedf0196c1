/**
 * Freezes a value and everything reachable from it that is not frozen already (a frozen object's
 * parts were frozen with it): a change afterwards throws (modules are strict) instead of silently
 * altering what a cache or a batch of documents holds.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
