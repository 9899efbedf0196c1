import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { fileTypeFromBuffer } from 'file-type';
import { blobStoreFromEnv, type BlobStore } from '../../engine/blobs/blob-store.js';
import { Engine, ENGINE_CONFIG, type EngineOptions } from '../../engine/nest/engine.js';
import { caseLineStream } from '../supervision/supervision.events.js';
import { reportStream } from '../reporting/reporting.events.js';
import { reviewStream } from '../rewards/rewards.events.js';
import type { AttachmentFacts } from './attachments.decider.js';
import type { AttachmentTarget } from './attachments.events.js';

/** Live settings (a test may lower the limit on a running app: `app.get(ATTACHMENTS_SETTINGS)`). */
export interface AttachmentsSettings {
  /** JIXIAO_ATTACHMENT_MAX_BYTES, default 20 MB: larger uploads are refused with 413 before they are stored. */
  maxBytes: number;
}
export const ATTACHMENTS_SETTINGS = Symbol('AttachmentsSettings');
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

export function attachmentsSettingsFrom(env: NodeJS.ProcessEnv): AttachmentsSettings {
  const text = env.JIXIAO_ATTACHMENT_MAX_BYTES;
  const maxBytes = text === undefined || text === '' ? DEFAULT_MAX_BYTES : Number(text);
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new Error(`JIXIAO_ATTACHMENT_MAX_BYTES "${text}" is not a positive number of bytes`);
  return { maxBytes };
}

/** The facts an attachment is decided on, and the blob store its bytes go to. */
@Injectable()
export class AttachmentsService implements OnModuleDestroy {
  readonly blobs: BlobStore;

  constructor(
    private readonly engine: Engine,
    @Inject(ENGINE_CONFIG) options: EngineOptions,
    @Inject(ATTACHMENTS_SETTINGS) readonly settings: AttachmentsSettings,
  ) {
    this.blobs = blobStoreFromEnv(options.config);
    new Logger('Attachments').log(`attachments kept in ${this.blobs.location}, at most ${settings.maxBytes} bytes each`);
  }

  /** What the content is (file-type reads its magic numbers and, for DOCX/XLSX, the zip's parts): the name plays no part. */
  async detect(bytes: Buffer): Promise<string | null> {
    return (await fileTypeFromBuffer(bytes))?.mime ?? null;
  }

  /** Whether the thing a file is attached to exists: a report opened, a case opened, a year-end decision approved. */
  async targetExists(t: AttachmentTarget): Promise<boolean> {
    switch (t.kind) {
      case 'report':
        return (await this.engine.store.readStream(reportStream(t), { maxCount: 1 })).length > 0;
      case 'case':
        return (await this.engine.store.readStream(caseLineStream(t))).some((e) => e.type === 'CaseOpened' && (e.data as { caseNo?: number }).caseNo === t.caseNo);
      case 'decision':
        return (await this.engine.store.readStream(reviewStream(t))).some((e) => e.type === 'ProposalApproved');
    }
  }

  async facts(t: AttachmentTarget, bytes: Buffer, sha256: string): Promise<AttachmentFacts> {
    return { detectedType: await this.detect(bytes), size: bytes.length, sha256, maxBytes: this.settings.maxBytes, targetExists: await this.targetExists(t) };
  }

  async onModuleDestroy(): Promise<void> {
    await this.blobs.close();
  }
}
