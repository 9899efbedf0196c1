import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { sealText, verifySeals, type SealRecordedData } from '../../engine/audit/seals.js';
import { verifyChains } from '../../engine/audit/verify-chains.js';
import { blobStoreFromEnv, type BlobStore } from '../../engine/blobs/blob-store.js';
import { verifyBlobs } from '../../engine/blobs/verify-blobs.js';
import type { Principal } from '../../engine/commands/command.js';
import { DomainError } from '../../engine/commands/command.js';
import type { StoredEvent } from '../../engine/event-store/storage.js';
import { Engine } from '../../engine/nest/engine.js';
import type { AsOf } from '../../engine/projections/as-of.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { authorize } from '../access/access.js';
import { PlanService } from '../plan/plan.service.js';
import { ensureSealTimer, makeSeal, sealingFromEnv, sealsSoFar, useSealing, verifyOptionsFor } from './sealing.js';
import { timelinePage, type TimelineFilter } from './timeline-page.js';
import { caseKey, entriesOf, indicatorKey, TIMELINE_PROJECTION, unitKey, unitList, type TimelineEntry, type TimelinePage } from './timeline.projection.js';
import { diff, provenance, snapshot, type ProvenanceField, type ViewParams } from './views.js';

/** A seal as the API shows it: the record, with its exportable text block. */
export type SealView = SealRecordedData & { text: string };

export type { TimelineFilter } from './timeline-page.js';

@Injectable()
export class AuditService implements OnModuleInit, OnApplicationBootstrap {
  readonly #log = new Logger('Audit');
  #sealing!: ReturnType<typeof sealingFromEnv>;

  constructor(
    private readonly engine: Engine,
    private readonly plans: PlanService,
  ) {}

  /** The store's seal key and witnesses (sealing.ts), before anything seals. */
  onModuleInit(): void {
    const { config } = this.engine.options;
    this.#sealing = sealingFromEnv({ env: process.env, storeUrl: config.eventStoreUrl, production: config.production, log: (m) => this.#log.warn(m) });
    useSealing(this.engine.store, this.#sealing);
  }

  /** The first seal timer (each round schedules the next): where timers are worked, once every module is in. */
  async onApplicationBootstrap(): Promise<void> {
    const { background, config } = this.engine.options;
    if (!background) return;
    // The public half is printed where the server starts (stdout of one-shot CLI commands stays theirs).
    const sealing = this.#sealing;
    if (sealing.signer)
      this.#log.log(
        `seals are signed with ${sealing.signer.publicKey} (key ${sealing.keyFrom}${sealing.generated ? ', generated now: keep a copy of this public key outside the server' : ''})`,
      );
    else this.#log.warn('no seal key (JIXIAO_SEAL_KEY or JIXIAO_SEAL_KEY_FILE): seals are recorded unsigned, and whoever can write the database can forge them');
    if (config.redisUrl && !config.processJobs) return;
    await ensureSealTimer(this.engine.store, this.engine.clock);
  }

  async seal(actor: Principal, occasion: string): Promise<SealRecordedData | undefined> {
    authorize(actor, 'audit.seal');
    return makeSeal(this.engine.store, actor, this.engine.clock.now().toISOString(), occasion);
  }

  async seals(): Promise<SealView[]> {
    return (await sealsSoFar(this.engine.store)).all.map((s) => ({ ...s, text: sealText(s, this.engine.store.kind) }));
  }

  /** Recomputes every chain and every seal; with an exported seal, proves the record up to it unchanged. */
  async verify(exported?: Parameters<typeof verifySeals>[1]) {
    const started = Date.now();
    const chains = await verifyChains(this.engine.store.storage);
    const seals = await verifySeals(this.engine.store, exported, verifyOptionsFor(this.engine.store));
    // Every blob an event refers to (attachments, issue 16), in the deployment's blob store.
    const blobStore = blobStoreFromEnv(this.engine.options.config);
    const blobs = await verifyBlobs(this.engine.store, blobStore).finally(() => blobStore.close());
    return {
      ok: chains.ok && seals.ok && blobs.ok,
      blobs: { references: blobs.references, blobs: blobs.blobs, bytes: blobs.bytes, problems: blobs.problems },
      events: chains.events,
      streams: chains.streams,
      seconds: (Date.now() - started) / 1000,
      chainProblems: chains.problems,
      seals: seals.seals,
      sealProblems: seals.problems,
      ...(seals.exported ? { exported: seals.exported } : {}),
    };
  }

  /** Work with the deployment's blob store (an evidence export with the attachments' bytes: evidence-archive.ts), closed afterwards. */
  async withBlobStore<T>(work: (blobs: BlobStore) => Promise<T>): Promise<T> {
    const blobStore = blobStoreFromEnv(this.engine.options.config);
    try {
      return await work(blobStore);
    } finally {
      await blobStore.close();
    }
  }

  async unitTimeline(planId: string, unitId: string, filter: TimelineFilter, after: string | undefined, limit: number, minPosition?: string): Promise<TimelinePage> {
    await this.plans.unit(planId, unitId); // an unknown unit is a 404, not an empty history
    return this.#page('unit', unitKey(planId, unitId), filter, after, limit, minPosition);
  }

  async indicatorTimeline(planId: string, no: number, filter: TimelineFilter, after: string | undefined, limit: number, minPosition?: string): Promise<TimelinePage> {
    await this.plans.get(planId);
    return this.#page('indicator', indicatorKey(planId, no), filter, after, limit, minPosition);
  }

  async caseTimeline(planId: string, unitId: string, no: number, caseNo: number, after: string | undefined, limit: number, minPosition?: string): Promise<TimelinePage> {
    return this.#page('case', `${caseKey(planId, unitId, no, caseNo)}/`, {}, after, limit, minPosition);
  }

  async #page(collection: string, prefix: string, filter: TimelineFilter, after: string | undefined, limit: number, minPosition?: string): Promise<TimelinePage> {
    await this.engine.waitFor(minPosition, [TIMELINE_PROJECTION]);
    return timelinePage(this.engine.query(TIMELINE_PROJECTION), collection, prefix, filter, after, limit);
  }

  async view(planId: string, view: string, params: ViewParams, asOf: AsOf) {
    return snapshot(this.engine.store, await this.plans.get(planId), view, params, asOf);
  }

  async diff(planId: string, view: string, params: ViewParams, from: string, to: string) {
    return diff(this.engine.store, await this.plans.get(planId), view, params, from, to);
  }

  async provenance(planId: string, period: string, indicatorNo: number, field: ProvenanceField, asOf?: AsOf) {
    return provenance(this.engine.store, await this.plans.get(planId), period, indicatorNo, field, asOf);
  }

  /**
   * A unit's whole history as stored (every event with its data, envelope and hash), sealed on the
   * way out so the file can be checked against the record later (`audit check-export`).
   */
  async exportUnit(planId: string, unitId: string, requestedBy: Principal): Promise<UnitExport> {
    const plan = await this.plans.get(planId);
    const unit = plan.units.find((u) => u.id === unitId);
    if (!unit) throw new DomainError('unit-not-found', `plan ${planId} has no unit ${unitId}`, { params: { planId, unitId }, status: 404 });
    await this.engine.runner.catchUp();
    const docs = this.engine.query(TIMELINE_PROJECTION);
    const items = await unitList(docs, unitKey(planId, unitId));
    const entries: TimelineEntry[] = (await entriesOf(docs, unitKey(planId, unitId), items)).map((e, i) => ({ ...e, status: items[i]!.doc.status! }));
    const byStream = new Map<string, Set<number>>();
    for (const e of entries) byStream.set(e.streamId, (byStream.get(e.streamId) ?? new Set()).add(e.revision));
    const events: StoredEvent[] = [];
    for (const [streamId, revisions] of byStream) {
      for (const row of await this.engine.store.storage.readStream(streamId, 'forwards', undefined, Number.MAX_SAFE_INTEGER)) {
        if (revisions.has(row.revision)) events.push(row);
      }
    }
    events.sort((a, b) => this.engine.store.comparePositions(a.position, b.position));
    const seal = await makeSeal(
      this.engine.store,
      SYSTEM_PRINCIPAL,
      this.engine.clock.now().toISOString(),
      `export of unit ${unitId} requested by ${requestedBy.name ?? requestedBy.userId}`,
    );
    return {
      header: {
        kind: 'jixiao-unit-export',
        planId,
        unitId,
        unitName: unit.name,
        exportedAt: this.engine.clock.now().toISOString(),
        exportedBy: { userId: requestedBy.userId, ...(requestedBy.name ? { name: requestedBy.name } : {}) },
        events: events.length,
        seal: seal ? sealText(seal, this.engine.store.kind) : null,
      },
      events,
      summaries: new Map(entries.map((e) => [`${e.streamId}@${e.revision}`, e])),
    };
  }
}

export interface UnitExport {
  header: {
    kind: 'jixiao-unit-export';
    planId: string;
    unitId: string;
    unitName: string;
    exportedAt: string;
    exportedBy: { userId: string; name?: string };
    events: number;
    seal: string | null;
  };
  events: StoredEvent[];
  summaries: Map<string, TimelineEntry>;
}

/** One JSON line for the header, then one per event exactly as stored (data and metadata as JSON text, hash). */
export function toJsonLines(x: UnitExport): string {
  return (
    [
      JSON.stringify(x.header),
      ...x.events.map((e) =>
        JSON.stringify({ position: e.position, streamId: e.streamId, revision: e.revision, id: e.id, type: e.type, data: e.data, metadata: e.metadata, hash: e.hash }),
      ),
    ].join('\n') + '\n'
  );
}

export async function toXlsx(x: UnitExport): Promise<Buffer> {
  // Loaded when a workbook is written, not at start: exceljs alone costs ~0.4 s of start-up.
  const wb = new (await import('exceljs')).default.Workbook();
  wb.creator = 'Jixiao 绩效';
  const about = wb.addWorksheet('说明 about');
  about.columns = [{ width: 22 }, { width: 90 }];
  about.addRows([
    ['单位 unit', `${x.header.unitName} (${x.header.unitId})`],
    ['方案 plan', x.header.planId],
    ['导出时间 exported at', x.header.exportedAt],
    ['导出人 exported by', x.header.exportedBy.name ?? x.header.exportedBy.userId],
    ['事件数 events', x.header.events],
    ['封存 seal', x.header.seal ?? 'none'],
    ['核验 verify', 'npm run cli -- audit check-export <this file’s JSON-lines twin>, or audit verify --seal <the seal above>'],
  ]);
  about.getColumn(2).alignment = { wrapText: true, vertical: 'top' };
  const sheet = wb.addWorksheet('事件 events');
  sheet.columns = [
    { header: '位置 position', key: 'position', width: 18 },
    { header: '时间 recorded at', key: 'at', width: 24 },
    { header: '流 stream', key: 'stream', width: 40 },
    { header: '版本 revision', key: 'revision', width: 8 },
    { header: '事件 type', key: 'type', width: 24 },
    { header: '摘要 summary', key: 'summary', width: 50 },
    { header: '操作人 who', key: 'who', width: 20 },
    { header: '角色 role', key: 'role', width: 12 },
    { header: '代表 on behalf of', key: 'onBehalfOf', width: 14 },
    { header: '原因 why', key: 'why', width: 30 },
    { header: '数据 data', key: 'data', width: 60 },
    { header: '哈希 hash', key: 'hash', width: 66 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const e of x.events) {
    const m = JSON.parse(e.metadata) as { actor: { userId: string; role: string; name?: string }; recordedAt: string; onBehalfOf?: string; reason?: string };
    const s = x.summaries.get(`${e.streamId}@${e.revision}`);
    sheet.addRow({
      position: e.position,
      at: m.recordedAt,
      stream: e.streamId,
      revision: e.revision,
      type: e.type,
      summary: s?.summary.zh ?? '',
      who: m.actor.name ?? m.actor.userId,
      role: m.actor.role,
      onBehalfOf: m.onBehalfOf ?? '',
      why: m.reason ?? '',
      data: e.data.length > 32_000 ? `${e.data.slice(0, 32_000)}…` : e.data,
      hash: e.hash,
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
