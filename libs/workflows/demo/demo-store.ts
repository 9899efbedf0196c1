import { SEALS_STREAM } from '../../engine/audit/seals.js';
import { DomainError } from '../../engine/commands/command.js';
import { readRecordedToHead, type EventStore, type RecordedEvent } from '../../engine/event-store/event-store.js';
import { BOOTSTRAP_STREAM } from '../accounts/accounts.events.js';
import { DEMO_CORRELATION_PREFIX, DEMO_STREAM, type DemoYearPlayed, type DemoYearStarted } from './demo.events.js';

/** What a store holds, as far as the demo is concerned. */
export interface StoreSurvey {
  /** Events of a published plan (nothing else of the plan: a revised target is a person's decision). */
  planPublications: number;
  /** User accounts, the bootstrap, username reservations. */
  accounts: number;
  seals: number;
  /** Events of an earlier demo run (its stream, or its commands' `demo-` correlation). */
  demo: number;
  started?: DemoYearStarted['data'];
  played?: DemoYearPlayed['data'];
  /** The first event that is none of the above: real data. */
  real?: { streamId: string; type: string; recordedAt: string; actor: string; position: string };
}

const isAccounts = (streamId: string) => streamId === BOOTSTRAP_STREAM || streamId.startsWith('user-') || streamId.startsWith('username-');

function classify(e: RecordedEvent, survey: StoreSurvey): boolean {
  if (e.streamId.startsWith('plan-') && e.type === 'PlanPublished') survey.planPublications++;
  else if (isAccounts(e.streamId)) survey.accounts++;
  else if (e.streamId === SEALS_STREAM) survey.seals++;
  else if (e.streamId === DEMO_STREAM) {
    survey.demo++;
    if (e.type === 'DemoYearStarted') survey.started = e.data as DemoYearStarted['data'];
    if (e.type === 'DemoYearPlayed') survey.played = e.data as DemoYearPlayed['data'];
  } else if (e.metadata.correlationId.startsWith(DEMO_CORRELATION_PREFIX)) survey.demo++;
  else {
    survey.real = { streamId: e.streamId, type: e.type, recordedAt: e.metadata.recordedAt, actor: e.metadata.actor.userId, position: e.position };
    return false;
  }
  return true;
}

/**
 * Reads the log from the start until the first event of real data (or the end), or until `stop`
 * answers true for the survey so far (firstStart asks only whether the store holds nothing but
 * plans: the first event of anything else answers it, not a read of a million demo events).
 */
export async function surveyStore(store: EventStore, stop?: (survey: StoreSurvey) => boolean): Promise<StoreSurvey> {
  const survey: StoreSurvey = { planPublications: 0, accounts: 0, seals: 0, demo: 0 };
  // Up to the head as it stands: a reader's horizon may trail a commit just made (PostgreSQL).
  await readRecordedToHead(
    store,
    undefined,
    (page) => {
      for (const e of page) if (!classify(e, survey) || stop?.(survey)) return false;
      return true;
    },
    { pageSize: 2000, timeoutMs: 30_000 },
  );
  return survey;
}

/** First start: nothing recorded but the plans published at start. */
export const holdsOnlyPlans = (s: StoreSurvey) => s.accounts === 0 && s.seals === 0 && s.demo === 0 && s.real === undefined;

/**
 * The demo refuses a store holding real data (anything but published plans, accounts, seals and
 * its own events), naming what it found, and a store it has played on already.
 */
export function refusalOf(survey: StoreSurvey): DomainError | undefined {
  if (survey.real) {
    const r = survey.real;
    return new DomainError(
      'store-holds-real-data',
      `the store holds real data, so the demo year will not be played on it: found ${r.type} in stream "${r.streamId}" (recorded ${r.recordedAt} by ${r.actor}, position ${r.position}). ` +
        'The demo plays only on a store holding nothing but the published plan, user accounts and seals: use a new store (--store sqlite:./data/demo.db).',
      { found: r },
    );
  }
  if (survey.played) {
    return new DomainError(
      'demo-already-played',
      `the demo year was played on this store already (plan ${survey.played.planId}, seed ${survey.played.seed}, played ${survey.played.playedAt}); it plays once per store`,
    );
  }
  if (survey.demo > 0) {
    return new DomainError(
      'demo-unfinished',
      `an earlier demo run ${survey.started ? `(seed ${survey.started.seed}, started ${survey.started.startedAt}) ` : ''}left ${survey.demo} event(s) on this store without finishing; play the demo on a new, empty store`,
    );
  }
  if (survey.planPublications === 0) {
    return new DomainError('plan-not-found', 'no plan has been published on this store: start the API once (npm start) or publish the plan first', { status: 404 });
  }
  return undefined;
}
