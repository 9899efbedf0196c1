import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { attachmentsDecider, cleanName, type AddAttachment, type AttachmentFacts } from './attachments.decider.js';
import type { AttachmentAdded, AttachmentTarget } from './attachments.events.js';

const report: AttachmentTarget = { kind: 'report', planId: 'ye-county-2023', unitId: 'sthjj', period: '2023-06' };
const kase: AttachmentTarget = { kind: 'case', planId: 'ye-county-2023', unitId: 'sthjj', indicatorNo: 28, caseNo: 1 };
const decision: AttachmentTarget = { kind: 'decision', planId: 'ye-county-2023', year: 2023 };
const sha = 'a'.repeat(64);
const facts = (f: Partial<AttachmentFacts> = {}): AttachmentFacts => ({
  detectedType: 'application/pdf',
  size: 1000,
  sha256: sha,
  maxBytes: 20 * 1024 * 1024,
  targetExists: true,
  ...f,
});
const add = (roles: string[], target: AttachmentTarget, f: Partial<AttachmentFacts> = {}, extra: Partial<AddAttachment['data']> = {}, unitId?: string): AddAttachment => ({
  type: 'attachments.Add',
  data: { target, name: 'C:\\扫描\\月报.pdf', facts: facts(f), ...extra },
  meta: meta(roles, unitId ? { unitId } : {}),
});
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof DomainError ? err.code : err instanceof ForbiddenError ? 'forbidden' : String(err);
  }
  return 'none';
};

describe('attachments decider', () => {
  it('records name (path removed), type detected from the content, size and hash; the same bytes again are answered with nothing', () => {
    const [e] = given(attachmentsDecider).when(add(['reporter'], report, {}, { note: '纸质件' }, 'sthjj'));
    expect(e).toEqual({
      type: 'AttachmentAdded',
      data: { target: report, name: '月报.pdf', mediaType: 'application/pdf', blob: { sha256: sha, size: 1000 }, note: '纸质件' },
    });
    expect(given(attachmentsDecider, [e as AttachmentAdded]).when(add(['office'], report))).toEqual([]);
    expect(given(attachmentsDecider, [e as AttachmentAdded]).when(add(['office'], report, { sha256: 'b'.repeat(64) }))).toHaveLength(1);
  });

  it('refuses by content, size, target, name and step', () => {
    const g = given(attachmentsDecider);
    expect(codeOf(() => g.when(add(['office'], report, { detectedType: 'application/x-msdownload' })))).toBe('attachment-type-not-allowed');
    expect(codeOf(() => g.when(add(['office'], report, { detectedType: null })))).toBe('attachment-type-not-allowed');
    expect(codeOf(() => g.when(add(['office'], report, { detectedType: 'image/gif' })))).toBe('attachment-type-not-allowed');
    expect(codeOf(() => g.when(add(['office'], report, { size: 2001, maxBytes: 2000 })))).toBe('attachment-too-large');
    expect(codeOf(() => g.when(add(['office'], report, { size: 0 })))).toBe('attachment-empty');
    expect(codeOf(() => g.when(add(['office'], report, { targetExists: false })))).toBe('attachment-target-unknown');
    expect(codeOf(() => g.when(add(['office'], report, {}, { name: '\u0000/' })))).toBe('attachment-name-missing');
    expect(codeOf(() => g.when(add(['office'], report, {}, { step: 'feedback' })))).toBe('attachment-step-invalid');
    expect(codeOf(() => g.when(add(['supervisor'], kase, {}, { step: 'feedback' })))).toBe('none');
    for (const t of [
      'image/jpeg',
      'image/png',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ]) {
      expect(codeOf(() => g.when(add(['office'], report, { detectedType: t })))).toBe('none');
    }
  });

  it('lets those who handle the report, the case and the decision attach, and no one else', () => {
    const g = given(attachmentsDecider);
    expect(g.role(add(['reporter'], report, {}, {}, 'sthjj'))).toBe('reporter');
    expect(g.role(add(['head'], kase, {}, {}, 'sthjj'))).toBe('head');
    expect(g.role(add(['leader'], decision))).toBe('leader');
    expect(codeOf(() => g.role(add(['reporter'], report, {}, {}, 'fgw')))).toBe('forbidden');
    expect(codeOf(() => g.role(add(['supervisor'], report)))).toBe('forbidden');
    expect(codeOf(() => g.role(add(['office'], kase)))).toBe('forbidden');
    expect(codeOf(() => g.role(add(['auditor'], decision)))).toBe('forbidden');
    expect(codeOf(() => g.role(add(['head'], decision, {}, {}, 'sthjj')))).toBe('forbidden');
  });

  it('keeps a name whole but without its path and control characters', () => {
    expect(cleanName('/tmp/../整改\u0007报告.docx')).toBe('整改报告.docx');
    expect(cleanName('x'.repeat(300))).toHaveLength(200);
  });
});
