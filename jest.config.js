/**
 * One jest run for every tier; the file name says the tier (style.md):
 * *.unit.spec.ts (no I/O), *.int.spec.ts (real SQLite / PostgreSQL / Redis), *.e2e.spec.ts (the running app).
 * Native ESM (NestJS 12 ships only ESM), hence --experimental-vm-modules in the npm scripts.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }] },
  testMatch: ['<rootDir>/{apps,libs,test,bench}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/apps/web/'],
  testTimeout: 60_000,
  // Int and e2e suites each create their own PostgreSQL database and SQLite file, so they can run
  // in parallel. Four workers on this machine's two cores: the suites wait more than they compute
  // (browsers settling, child processes starting, PostgreSQL's fsyncs): jest, its workers and their
  // browsers used ~970 CPU-seconds for a run that takes ~940 s with three workers on a quiet machine,
  // about half of two cores; a fourth worker fills the waits.
  maxWorkers: 4,
  // The suites that take minutes start first (the browser journeys, the demo year's players).
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.mjs',
};
