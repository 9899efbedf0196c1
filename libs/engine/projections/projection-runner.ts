import type { EventStore, RecordedEvent } from '../event-store/event-store.js';
import { BatchDocs, type DocReader, type Projection } from './docs.js';
import { KeptDocs } from './kept-docs.js';
import type { GenerationState, ReadModelStore } from './read-model-store.js';

export interface ProjectionStatus {
  name: string;
  version: number;
  generation: number;
  checkpoint: string | undefined;
  /** A new generation being built from the start (a version change or a rebuild). */
  rebuilding?: { generation: number; checkpoint: string | undefined };
  error?: string;
}

/** The most events one step applies and commits, whatever pageSize asks (see the constructor). */
export const MAX_STEP_EVENTS = 1000;

export interface RunnerOptions {
  /** Events read and applied per step; at most MAX_STEP_EVENTS. */
  pageSize?: number;
  pollIntervalMs?: number;
  log?: (message: string, detail?: unknown) => void;
}

/** One (projection, generation) the runner feeds. */
interface Target {
  projection: Projection;
  state: GenerationState;
  error?: string;
  retryAt?: number;
  /** Its documents as last read or committed here; dropped with the target on every reload. */
  kept: KeptDocs;
  /** The checkpoint of the last batch committed here that changed a document, or the one loaded. */
  changedAt?: string;
  /**
   * The checkpoint as stored (loaded or last committed here): what a commit compares against, so
   * that another process's commit refuses this one. `state.checkpoint` runs ahead of it over pages
   * that left this target's documents as they were, which are not written (see #stepOnce).
   */
  stored: string | undefined;
  /** Events passed over since `stored` without writing it; bounds what a restart reads again. */
  unsaved: number;
}

export class ProjectionTimeoutError extends Error {
  readonly code = 'projection-timeout';
}

/** A ?minPosition= the store never issued (malformed, or beyond its head): waiting could not help. */
export class InvalidPositionError extends Error {
  readonly code = 'invalid-position';
  constructor(readonly position: string) {
    super(`minPosition "${position.slice(0, 100)}" is not a position this store has issued (pass the X-Position of a command's answer)`);
  }
}

/**
 * Feeds projections from the global order. Each page of events is applied to every projection in
 * memory, and all their document changes and checkpoints are committed in one transaction, so a
 * crash re-applies an uncommitted page and never a committed one: each event takes effect exactly
 * once. A commit is refused if a checkpoint moved under it (another process runs the same
 * projection), and the runner then reloads and carries on from the stored state.
 *
 * A projection whose version changed is built as a new generation from the start while the old
 * one keeps serving, then swapped in; `rebuild()` does the same on demand.
 */
export class ProjectionRunner {
  readonly #projections: Map<string, Projection>;
  #targets: Target[] = [];
  readonly #waiters = new Set<() => void>();
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  readonly #pageSize: number;
  readonly #pollIntervalMs: number;
  readonly #log: (message: string, detail?: unknown) => void;

  constructor(
    readonly store: EventStore,
    readonly readModels: ReadModelStore,
    projections: Projection[],
    options: RunnerOptions = {},
  ) {
    this.#projections = new Map(projections.map((p) => [p.name, p]));
    if (this.#projections.size !== projections.length) throw new Error('two projections share a name');
    // Capped: a step's page of events, and the documents it writes, live until its commit. Past about
    // a thousand events they outlive V8's young generation and are copied into the old one, which a
    // full collection then has to sweep: a 5,000-event rebuild page spent a quarter of its CPU in the
    // collector, 1,000-event pages a tenth. Smaller pages cost only a commit each.
    this.#pageSize = Math.min(options.pageSize ?? MAX_STEP_EVENTS, MAX_STEP_EVENTS);
    this.#pollIntervalMs = options.pollIntervalMs ?? 200;
    this.#log = options.log ?? (() => undefined);
  }

  get projections(): Projection[] {
    return [...this.#projections.values()];
  }

  /** Loads (or creates) the generations and starts following the store. */
  async start(): Promise<void> {
    await this.#reload();
    this.#stop = new AbortController();
    this.#loop = this.#run(this.#stop.signal);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#loop = undefined;
    // A restart then resumes where this runner got to, not at the last page that changed documents.
    await this.#saveCheckpoints().catch((err) => this.#log('projection runner: could not save checkpoints on stop', err));
    for (const w of this.#waiters) w();
  }

  /**
   * Applies everything committed up to now, then returns (for the CLI, tests, the demo). Waits out a
   * reader horizon that trails the head (PostgreSQL, while an older transaction runs).
   */
  async catchUp(timeoutMs = 30_000): Promise<void> {
    if (this.#targets.length === 0) await this.#reload();
    const head = await this.store.headPosition();
    const deadline = Date.now() + timeoutMs;
    const reached = () =>
      head === undefined || this.#targets.every((t) => t.error !== undefined || (t.state.checkpoint !== undefined && this.store.comparePositions(t.state.checkpoint, head) >= 0));
    for (;;) {
      const progressed = await this.#step();
      if (!progressed && reached()) {
        // The CLI, the demo and tests catch up and may exit without stop(): store where they got to.
        await this.#saveCheckpoints();
        return;
      }
      if (!progressed) {
        if (Date.now() > deadline) throw new ProjectionTimeoutError(`projections did not reach the head ${head} in time`);
        await sleep(20);
      }
    }
  }

  status(): ProjectionStatus[] {
    return this.projections.map((p) => {
      const active = this.#targets.find((t) => t.projection === p && t.state.active);
      const building = this.#targets.find((t) => t.projection === p && !t.state.active);
      return {
        name: p.name,
        version: p.version,
        generation: active?.state.generation ?? 0,
        checkpoint: active?.state.checkpoint,
        ...(building ? { rebuilding: { generation: building.state.generation, checkpoint: building.state.checkpoint } } : {}),
        ...(active?.error || building?.error ? { error: active?.error ?? building?.error } : {}),
      };
    });
  }

  /**
   * What the serving generation of `name` holds — `generation@checkpoint`, the checkpoint of the
   * last batch that changed its documents (or the one loaded) — while this runner follows the store; `undefined` when it does not (a one-shot CLI command), since then nothing
   * here would notice the documents change. A key for answers computed from those documents.
   */
  stamp(name: string): string | undefined {
    const projection = this.#projections.get(name);
    const t = projection && this.#loop ? this.#active(projection) : undefined;
    if (t?.state.checkpoint === undefined) return undefined;
    // Documents change only with a batch that changed some: a page of other projections' events
    // moves the checkpoint, not the answers computed from these documents.
    return `${t.state.generation}@${t.changedAt ?? t.state.checkpoint}`;
  }

  /** Documents of the generation that serves queries now. */
  reader(name: string): DocReader {
    const projection = this.#projections.get(name);
    if (!projection) throw new Error(`no projection named "${name}"`);
    // A runner that has not started (a one-shot CLI command, a benchmark) still serves what is stored.
    const loaded = async () => {
      if (this.#targets.length === 0) await this.#reload();
    };
    return {
      get: async (collection, key) => {
        await loaded();
        const t = this.#active(projection);
        return t ? new BatchDocs(this.#source(t, Boolean(this.#loop))).get(collection, key) : undefined;
      },
      getMany: async (collection, keys) => {
        await loaded();
        const t = this.#active(projection);
        return t ? new BatchDocs(this.readModels.source(name, t.state.generation)).getMany(collection, keys) : keys.map(() => undefined);
      },
      list: async (collection, prefix) => {
        await loaded();
        const t = this.#active(projection);
        return t ? new BatchDocs(this.readModels.source(name, t.state.generation)).list(collection, prefix) : [];
      },
      page: async (collection, prefix, options) => {
        await loaded();
        const t = this.#active(projection);
        return t ? new BatchDocs(this.readModels.source(name, t.state.generation)).page(collection, prefix, options) : [];
      },
    };
  }

  /**
   * Read-your-writes: resolves once the serving generation of every projection named (default:
   * all) has applied the event at `position`.
   */
  async waitFor(position: string, options: { projections?: string[]; timeoutMs?: number } = {}): Promise<void> {
    const names = options.projections ?? [...this.#projections.keys()];
    const reached = () =>
      names.every((n) => {
        const t = this.#active(this.#projections.get(n)!);
        return t?.state.checkpoint !== undefined && this.store.comparePositions(t.state.checkpoint, position) >= 0;
      });
    // Already applied (the usual case, a read after a command): answered from memory, without
    // asking the store for its head. A position at or before an applied one is one the store has issued.
    if (typeof position !== 'string' || position.length === 0 || position.length > 100) throw new InvalidPositionError(String(position));
    let applied: boolean;
    try {
      applied = this.store.comparePositions(position, position) === 0 && reached();
    } catch {
      throw new InvalidPositionError(position);
    }
    if (applied) return;
    if (!(await this.#issued(position))) throw new InvalidPositionError(position);
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    while (!reached()) {
      if (Date.now() > deadline || this.#stop.signal.aborted) {
        throw new ProjectionTimeoutError(`projections did not reach position ${position} in time`);
      }
      if (!this.#loop) {
        // Nobody in this process is running them: catch up here.
        await this.catchUp();
        if (!reached()) await sleep(this.#pollIntervalMs);
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, this.#pollIntervalMs);
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.#waiters.add(done);
      });
    }
  }

  /**
   * Whether the store has issued `position`: well formed for its adapter and not beyond its head
   * (the last committed event, which a reader may still be waiting to see on PostgreSQL).
   */
  async #issued(position: string): Promise<boolean> {
    if (typeof position !== 'string' || position.length === 0 || position.length > 100) return false;
    const head = await this.store.headPosition();
    if (head === undefined) return false;
    try {
      return this.store.comparePositions(position, head) <= 0 && this.store.comparePositions(position, position) === 0;
    } catch {
      return false;
    }
  }

  /** Builds a new generation of `name` from the first event, then swaps it in for the old one. */
  async rebuild(name: string): Promise<GenerationState> {
    const projection = this.#projections.get(name);
    if (!projection) throw new Error(`no projection named "${name}"; known: ${[...this.#projections.keys()].join(', ')}`);
    const created = await this.readModels.createGeneration(name, projection.version);
    await this.#reload();
    const mine = () => this.#targets.find((t) => t.projection === projection && t.state.generation === created.generation);
    while (!mine()?.state.active) {
      if (!mine()) throw new Error(`generation ${created.generation} of ${name} was replaced by another rebuild`);
      if (!(await this.#step())) await sleep(10);
      // A projection that refuses an event stops the rebuild, loudly: the old generation keeps serving.
      const failed = mine()?.error;
      if (failed) throw new Error(`rebuilding ${name} (generation ${created.generation}) stopped; the old generation keeps serving: ${failed}`);
    }
    return mine()!.state;
  }

  /** Another process (a CLI rebuild) may have swapped generations, or started building one: follow it. */
  async #noticeSwaps(): Promise<void> {
    const stored = await this.readModels.generations();
    // What #reload would feed, as far as the stored generations say (it creates what is missing).
    const wanted: string[] = [];
    for (const projection of this.#projections.values()) {
      const { active, building } = generationsToFeed(stored, projection);
      for (const g of [active, building]) if (g) wanted.push(`${g.projection}/${g.generation}/${g.active}`);
    }
    const fed = new Set(this.#targets.map((t) => `${t.state.projection}/${t.state.generation}/${t.state.active}`));
    if (wanted.length !== fed.size || wanted.some((k) => !fed.has(k))) await this.#reload();
  }

  /**
   * A target's documents. Kept ones only where this runner follows the store (`kept`): a one-shot
   * command's runner is not the one applying, and what it read once could be stale at the next read.
   */
  #source(t: Target, kept: boolean) {
    const stored = this.readModels.source(t.state.projection, t.state.generation);
    return kept ? t.kept.source(stored) : stored;
  }

  #active(p: Projection): Target | undefined {
    return this.#targets.find((t) => t.projection === p && t.state.active);
  }

  async #reload(): Promise<void> {
    const stored = await this.readModels.generations();
    const targets: Target[] = [];
    for (const projection of this.#projections.values()) {
      let { active, building } = generationsToFeed(stored, projection);
      if (!active) {
        active = await this.readModels.ensureActiveGeneration(projection.name, projection.version);
        ({ building } = generationsToFeed([...stored, active], projection));
      }
      targets.push({ projection, state: active, kept: new KeptDocs(), changedAt: active.checkpoint, stored: active.checkpoint, unsaved: 0 });
      if (!building && active.version !== projection.version) {
        // Serve the old generation until a new one, built with this version, has caught up.
        building = await this.readModels.createGeneration(projection.name, projection.version);
        this.#log(`projection ${projection.name}: version ${active.version} → ${projection.version}, rebuilding as generation ${building.generation}`);
      }
      if (building) targets.push({ projection, state: building, kept: new KeptDocs(), changedAt: building.checkpoint, stored: building.checkpoint, unsaved: 0 });
    }
    const previous = new Map(this.#targets.map((t) => [`${t.state.projection}/${t.state.generation}`, t]));
    this.#targets = targets.map((t) => ({ ...t, error: previous.get(`${t.state.projection}/${t.state.generation}`)?.error }));
  }

  async #run(signal: AbortSignal): Promise<void> {
    let swapsSeenAt = Date.now();
    while (!signal.aborted) {
      const armed = this.store.appendSignal(this.#pollIntervalMs, signal);
      let progressed = false;
      try {
        progressed = await this.#step();
      } catch (err) {
        this.#log('projection runner: step failed, retrying', err);
        await sleep(this.#pollIntervalMs);
      }
      // A page shorter than a step's reached the head as it was read: what is appended since has
      // fired the signal armed before it, so waiting spares a read that would find nothing (one a
      // command, a round trip on PostgreSQL).
      if (!progressed || this.#shortPage) {
        await armed.promise;
        // Once a poll interval, not on every wake-up (every command): a swap made by another
        // process is noticed within that, and until then this runner's commits to the generation
        // it replaced are refused, which reloads.
        if (Date.now() - swapsSeenAt >= this.#pollIntervalMs) {
          swapsSeenAt = Date.now();
          await this.#noticeSwaps().catch((err) => this.#log('projection runner: could not read generations', err));
        }
      }
      armed.cancel();
    }
  }

  /** Whether the last step that applied a page read less than a full one (it reached the head). */
  #shortPage = false;

  #stepping: Promise<unknown> = Promise.resolve();

  /**
   * One step at a time: the background loop and catchUp()/waitFor() callers take turns; two steps
   * interleaved at an await would apply the same page from the same checkpoints and commit over
   * each other.
   */
  #step(): Promise<boolean> {
    const run = this.#stepping.then(
      () => this.#stepOnce(),
      () => this.#stepOnce(),
    );
    this.#stepping = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes the checkpoints that run ahead of the stored ones (no documents change), in one commit,
   * a step like any other (it takes its turn with them).
   */
  #saveCheckpoints(): Promise<boolean> {
    const run = this.#stepping.then(
      () => this.#saveCheckpointsNow(),
      () => this.#saveCheckpointsNow(),
    );
    this.#stepping = run.catch(() => undefined);
    return run.then(() => true);
  }

  #saveCheckpointsNow(): Promise<void> {
    return this.#commit(this.#targets.filter((t) => t.state.checkpoint !== undefined && t.state.checkpoint !== t.stored).map((t) => ({ t, to: t.state.checkpoint!, changes: [] })));
  }

  /**
   * Commits each target's changes with its checkpoint moved from the stored one to `to`, in one
   * transaction; a refused one (another process moved it) reloads everything. The checkpoint in
   * memory moves only with the kept documents, after the commit: a reader that waited for a
   * position never sees the documents from before it.
   */
  async #commit(moved: { t: Target; to: string; changes: ReturnType<BatchDocs['changes']> }[]): Promise<void> {
    if (moved.length === 0) return;
    const batches = moved.map(({ t, to, changes }) => ({
      projection: t.state.projection,
      generation: t.state.generation,
      from: t.stored,
      to,
      active: t.state.active,
      changes,
    }));
    const refused = new Set(await this.readModels.commit(batches));
    for (const [i, { t, to, changes }] of moved.entries()) {
      if (refused.has(batches[i]!)) continue;
      t.state.checkpoint = to;
      t.stored = to;
      t.unsaved = 0;
      t.kept.committed(changes);
      if (changes.length > 0) t.changedAt = to;
    }
    if (refused.size > 0) await this.#reload();
  }

  /** Applies one page to every target that needs it. Returns whether anything moved. */
  async #stepOnce(): Promise<boolean> {
    const now = Date.now();
    const targets = this.#targets.filter((t) => !t.retryAt || t.retryAt <= now);
    if (targets.length === 0) return false;
    // Read from the furthest-behind target; the others skip what they have already applied.
    let from = targets[0]!.state.checkpoint;
    for (const t of targets) {
      const c = t.state.checkpoint;
      if (c === undefined) {
        from = undefined;
        break;
      }
      if (from !== undefined && this.store.comparePositions(c, from) < 0) from = c;
    }
    const page = await this.store.readAll({ fromPosition: from, maxCount: this.#pageSize });
    if (page.length === 0) {
      this.#shortPage = true;
      return this.#promoteCaughtUp();
    }
    this.#shortPage = page.length < this.#pageSize;
    const to = page[page.length - 1]!.position;
    const moved: { t: Target; to: string; changes: ReturnType<BatchDocs['changes']> }[] = [];
    const unchanged: Target[] = [];
    const types = new Set(page.map((e) => e.type));
    for (const t of targets) {
      if (t.state.checkpoint !== undefined && this.store.comparePositions(t.state.checkpoint, to) >= 0) continue;
      // Kept documents are the state at this target's checkpoint, which the page applies on; if
      // another process moved the checkpoint meanwhile, the commit below is refused and all is reloaded.
      const docs = new BatchDocs(this.#source(t, true));
      // Most projections read none of a page's event types: only their checkpoint moves.
      const relevant = !t.projection.eventTypes || t.projection.eventTypes.some((type) => types.has(type));
      try {
        for (const e of relevant ? page : []) {
          if (t.state.checkpoint !== undefined && this.store.comparePositions(e.position, t.state.checkpoint) <= 0) continue;
          if (t.projection.eventTypes && !t.projection.eventTypes.includes(e.type)) continue;
          await t.projection.apply(e as RecordedEvent, docs);
        }
      } catch (err) {
        // One faulty projection must not hold the others back; it retries later from its checkpoint.
        t.error = err instanceof Error ? err.message : String(err);
        t.retryAt = Date.now() + 5_000;
        this.#log(`projection ${t.state.projection} failed; retrying in 5 s`, err);
        continue;
      }
      t.error = undefined;
      t.retryAt = undefined;
      const changes = docs.changes();
      // Only the checkpoints of targets whose documents changed are written (with the documents).
      // Another's documents are those at its stored checkpoint, so it moves in memory alone: after a
      // restart or a refused commit it reads those events again and they change nothing again. The
      // checkpoint is still written every MAX_STEP_EVENTS events, so a restart reads little again.
      if (changes.length > 0 || t.unsaved + page.length >= MAX_STEP_EVENTS) moved.push({ t, to, changes });
      else unchanged.push(t);
    }
    for (const t of unchanged) {
      t.state.checkpoint = to;
      t.unsaved += page.length;
    }
    // A step whose page changed no documents commits nothing: no transaction, no fsync.
    await this.#commit(moved);
    // The loop does not read again after a short page, so a generation being built that has caught
    // up is promoted here, or steady appends would keep it from ever seeing an empty page.
    if (this.#shortPage && this.#targets.some((t) => !t.state.active)) await this.#promoteCaughtUp();
    for (const w of this.#waiters) w();
    this.#waiters.clear();
    return true;
  }

  /**
   * A generation being rebuilt that has reached the head takes over from the one serving; on an
   * empty store a fresh generation has nothing to catch up on and takes over at once.
   */
  async #promoteCaughtUp(): Promise<boolean> {
    const building = this.#targets.filter((t) => !t.state.active);
    if (building.length === 0) return false;
    const head = await this.store.headPosition();
    let promoted = false;
    for (const t of building) {
      const checkpoint = t.state.checkpoint;
      if (head !== undefined && (checkpoint === undefined || this.store.comparePositions(checkpoint, head) < 0)) continue;
      // It serves from its stored checkpoint in any process that loads it next: store where it got to.
      if (checkpoint !== undefined && checkpoint !== t.stored) {
        await this.#commit([{ t, to: checkpoint, changes: [] }]);
        if (t.stored !== checkpoint) return true; // refused: reloaded, the next step looks again
      }
      await this.readModels.activate(t.state.projection, t.state.generation);
      if (checkpoint !== undefined) this.#log(`projection ${t.state.projection}: generation ${t.state.generation} caught up and now serves`);
      t.state.active = true;
      this.#targets = this.#targets.filter((o) => o === t || o.projection !== t.projection);
      promoted = true;
    }
    if (promoted) for (const w of this.#waiters) w();
    return promoted;
  }
}

/**
 * Which stored generations of a projection the runner feeds: the active one, and the newest one
 * being built with the projection's current version after it (a rebuild, here or in another
 * process), if any. `stored` is in (projection, generation) order, as ReadModelStore.generations().
 */
function generationsToFeed(
  stored: readonly GenerationState[],
  projection: Pick<Projection, 'name' | 'version'>,
): { active: GenerationState | undefined; building: GenerationState | undefined } {
  const mine = stored.filter((g) => g.projection === projection.name);
  const active = mine.find((g) => g.active);
  const building = active && mine.filter((g) => !g.active && g.version === projection.version && g.generation > active.generation).at(-1);
  return { active, building };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
