import { assertNever, DomainError, type Command, type Decider, type Principal } from '../../engine/commands/command.js';
import { authorize, type PermissionName } from '../access/access.js';
import { CASE_STEPS, type CaseStep } from '../supervision/supervision.events.js';
import { ALLOWED_MEDIA_TYPES, type AllowedMediaType, type AttachmentAdded, type AttachmentTarget, type AttachmentsEvent } from './attachments.events.js';

/**
 * What the handler found before deciding: the file as detected from its bytes (type, size, hash),
 * the configured size limit, and whether the target exists (a report opened, a case opened, a
 * decision approved).
 */
export interface AttachmentFacts {
  /** The media type file-type detected from the content; null when it recognised nothing. */
  detectedType: string | null;
  size: number;
  sha256: string;
  maxBytes: number;
  targetExists: boolean;
}

export type AddAttachment = Command<'attachments.Add', { target: AttachmentTarget; name: string; step?: CaseStep; note?: string; facts: AttachmentFacts }>;
export type AttachmentsCommand = AddAttachment;
export const ATTACHMENTS_COMMANDS = ['attachments.Add'] as const;

export interface AttachmentsState {
  /** SHA-256 → name of the files attached so far. */
  files: Record<string, string>;
}

const PERMISSION: Record<AttachmentTarget['kind'], PermissionName> = { report: 'attachment.report', case: 'attachment.case', decision: 'attachment.decision' };

/** Who may attach to this target (and so who may upload at all): the same answer before the body is read and in the decider. */
export function authorizeAttachment(principal: Principal, target: AttachmentTarget): string {
  return authorize(principal, PERMISSION[target.kind], target.kind === 'decision' ? undefined : target.unitId);
}

export const MAX_NAME = 200;

/** The name without a path or control characters, at most MAX_NAME characters (kept whole otherwise: it is what the office sees). */
export function cleanName(name: string): string {
  const printable = [...name].filter((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f).join('');
  const base = printable.split(/[\\/]/).pop() ?? '';
  return base.trim().slice(0, MAX_NAME);
}

export function isAllowedType(type: string | null): type is AllowedMediaType {
  return type !== null && Object.hasOwn(ALLOWED_MEDIA_TYPES, type);
}

export const attachmentsDecider: Decider<AttachmentsCommand, AttachmentsEvent, AttachmentsState> = {
  initialState: () => ({ files: {} }),
  evolve(state, event) {
    switch (event.type) {
      case 'AttachmentAdded':
        return { files: { ...state.files, [event.data.blob.sha256]: event.data.name } };
      default:
        return assertNever(event.type, 'event');
    }
  },
  authorize(command) {
    return authorizeAttachment(command.meta.actor, command.data.target);
  },
  decide(command, state): AttachmentAdded[] {
    const { target, facts, step, note } = command.data;
    if (!facts.targetExists)
      throw new DomainError('attachment-target-unknown', `there is no ${target.kind} ${JSON.stringify(target)} to attach a file to`, { status: 404, target });
    if (!isAllowedType(facts.detectedType)) {
      throw new DomainError(
        'attachment-type-not-allowed',
        `the file's content is ${facts.detectedType ?? 'of no recognised type'}; attachments are PDF, JPEG, PNG, DOCX or XLSX (checked by content, not by name)`,
        { status: 422, detected: facts.detectedType, allowed: Object.values(ALLOWED_MEDIA_TYPES), fields: [{ field: 'file', message: 'not PDF, JPEG, PNG, DOCX or XLSX' }] },
      );
    }
    if (facts.size === 0) throw new DomainError('attachment-empty', 'the file is empty', { status: 422, fields: [{ field: 'file', message: 'empty' }] });
    if (facts.size > facts.maxBytes) {
      throw new DomainError('attachment-too-large', `the file has ${facts.size} bytes; attachments are 1 to ${facts.maxBytes} bytes`, {
        status: 422,
        size: facts.size,
        maxBytes: facts.maxBytes,
      });
    }
    const name = cleanName(command.data.name);
    if (!name) throw new DomainError('attachment-name-missing', 'the file needs a name', { status: 422, fields: [{ field: 'file', message: 'no file name' }] });
    if (step !== undefined && (target.kind !== 'case' || !(CASE_STEPS as readonly string[]).includes(step))) {
      throw new DomainError('attachment-step-invalid', `"${step}" is not a step of a supervision case (${CASE_STEPS.join(', ')})`, {
        params: { step },
        status: 422,
        fields: [{ field: 'step', message: 'not a case step' }],
      });
    }
    // The same bytes attached again to the same target: answered, not recorded twice.
    if (state.files[facts.sha256] !== undefined) return [];
    return [
      {
        type: 'AttachmentAdded',
        data: {
          target,
          name,
          mediaType: facts.detectedType,
          blob: { sha256: facts.sha256, size: facts.size },
          ...(step !== undefined ? { step } : {}),
          ...(note ? { note: note.slice(0, 2000) } : {}),
        },
      },
    ];
  },
};
