import Sequencer from '@jest/test-sequencer';

/**
 * The order suites start in, so two workers finish together. Jest's own order is by the last run's
 * durations, or, on a clean clone (CI) with none, by file size — which started the browser suites
 * (a few minutes each, small files) last and left one worker running them alone at the end.
 * Here: the suites that play the demo stores first and side by side (test/support/demo-store.ts;
 * the rest copy them), then the browser suites, the other end-to-end suites, integration, unit.
 * Within a class, the last run's duration when known, else the file's size.
 */
const CLASSES = [
  /test\/web\/accessibility-/, // one plays the open demo year, the other language waits for it
  /documents\/documents\.int/, // plays the closed one meanwhile
  /test\/web\/.*\.e2e/,
  /demo\.int|openapi\.e2e|exports\.e2e|documents\.e2e/,
  /\.e2e\.spec/,
  /\.int\.spec/,
];
const classOf = (path) => {
  const i = CLASSES.findIndex((re) => re.test(path));
  return i === -1 ? CLASSES.length : i;
};

export default class SlowFirstSequencer extends (Sequencer.default ?? Sequencer) {
  sort(tests) {
    const sized = super.sort(tests); // jest's order: failed first, then duration or size
    const rank = new Map(sized.map((t, i) => [t, i]));
    return [...tests].sort((a, b) => classOf(a.path) - classOf(b.path) || rank.get(a) - rank.get(b));
  }
}
