/**
 * The boundaries style.md asks for, checked on every `npm test`:
 * the engine knows nothing of counties; deciders import no framework or driver; the store's core
 * imports none of its adapters; workflows meet only through published event types and the shared
 * kernel (the plan, who may do what, the rules of colour, lagging, rank and score). Read sides over everything (audit, Annex 2, the demo) and the
 * apps may import any workflow.
 */
module.exports = {
  forbidden: [
    {
      name: 'engine-knows-no-workflow',
      severity: 'error',
      comment: 'libs/engine is the generic engine: it must not import workflows or apps.',
      from: { path: '^libs/engine/' },
      to: { path: '^(libs/workflows|apps)/' },
    },
    {
      name: 'deciders-are-pure',
      severity: 'error',
      comment: 'A decider is state + command → events: no Nest, no database, no queue, no files, no network.',
      from: { path: '\\.decider\\.ts$' },
      to: {
        path: [
          '^node_modules/(@nestjs|pg|better-sqlite3|bullmq|ioredis|exceljs|express|@eventstore)/',
          '^libs/engine/(nest|event-store/(sqlite|postgres|esdb)|projections|timers/timer-scheduler)',
        ],
      },
    },
    {
      name: 'deciders-do-no-io',
      severity: 'error',
      from: { path: '\\.decider\\.ts$' },
      to: { dependencyTypes: ['core'], path: '^(fs|child_process|net|http|https|dgram|worker_threads)$' },
    },
    {
      name: 'store-core-imports-no-adapter',
      severity: 'error',
      comment: 'The rules above the adapters must not depend on any one database.',
      from: { path: '^libs/engine/event-store/[^/]+\\.ts$', pathNot: 'open-event-store\\.ts$' },
      to: { path: '^libs/engine/event-store/(sqlite|postgres|esdb)/' },
    },
    {
      name: 'workflows-meet-through-published-types',
      severity: 'error',
      comment:
        'A workflow may use another only through its published event types (*.events.ts) and the shared kernel: the plan (its types, calendar and PlanService), access, and the rules of colour, lagging, rank and score (ranking/rules.ts).',
      // Readers across workflows, like audit: documents (issue 16) writes its notices from the other workflows' views.
      from: { path: '^libs/workflows/([^/]+)/', pathNot: '^libs/workflows/(audit|annex2|demo|documents)/' },
      to: {
        path: '^libs/workflows/([^/]+)/',
        pathNot: [
          '^libs/workflows/$1/',
          '\\.events\\.ts$',
          '^libs/workflows/(plan|access)/',
          '^libs/workflows/reporting/report-content\\.ts$',
          // The plan's colour, lagging, rank and score rules: pure, shared by the workflows and the web UI.
          '^libs/workflows/ranking/rules\\.ts$',
        ],
      },
    },
    {
      name: 'shared-rules-stand-alone',
      severity: 'error',
      comment: 'ranking/rules.ts is bundled into the web UI: it may import nothing but the plan file’s types (no Nest, no I/O, no node: module).',
      from: { path: '^libs/workflows/ranking/rules\\.ts$' },
      to: { pathNot: '^libs/workflows/plan/plan-file\\.ts$' },
    },
    {
      name: 'heavy-modules-loaded-on-use',
      severity: 'error',
      comment:
        'exceljs, pdfkit, the AWS SDK and bullmq cost ~0.3–1.5 s each (more on a loaded machine) of every start: load them where a workbook or document is written, an S3 store or a Redis queue opened (await import, or createRequire for a constructor), with `import type` for their types.',
      from: {},
      to: {
        path: '(^|/)node_modules/(exceljs|pdfkit|@aws-sdk/client-s3|bullmq)/|^(exceljs|pdfkit|@aws-sdk/client-s3|bullmq)$',
        dynamic: false,
        dependencyTypesNot: ['type-only', 'type-import'],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^apps/web/|\\.spec\\.ts$|/testing/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
