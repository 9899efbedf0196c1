import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { documentsDecider, nextSerial, type DocumentsCommand, type IssueCommandType, type IssueFacts } from './documents.decider.js';
import { documentsStream, type DocumentIssued, type DocumentSubject } from './documents.events.js';
import { documentsConfigOf, localDate } from './documents.service.js';
import { parsePlanFile } from '../plan/plan-file.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PLANS_DIR } from '../plan/plans-dir.js';

const content = { header: '叶县人民政府办公室文件', title: 't', addressees: 'a', body: [], issuer: '叶县人民政府办公室', date: '2024-01-05', printedBy: 'p' };
const seal = { sealId: 'seal-1', root: '0'.repeat(64), position: '1', sealedAt: '2024-01-05T01:00:00.000Z' };
const q2: DocumentSubject = { kind: 'quarterly-notice', quarter: '2023-Q2' };

function facts(serial: number, over: Partial<IssueFacts> = {}): IssueFacts {
  return { planId: 'p', seriesId: 'office', year: 2024, subject: q2, prefix: '叶政办', first: 1, serial, content, seal, sha256: 'a'.repeat(64), bytes: 100, ...over };
}
const cmd = (issue: IssueFacts, roles = ['office'], reason?: string, type: IssueCommandType = 'documents.IssueQuarterlyNotice'): DocumentsCommand => ({
  type,
  data: { issue },
  meta: meta(roles, reason ? { reason } : {}),
});
const history = (...serials: number[]) =>
  serials.reduce<DocumentIssued[]>(
    (h, n, i) => [...h, ...given(documentsDecider, h).when(cmd(facts(n, { subject: { kind: 'quarterly-notice', quarter: `2023-Q${i + 1}` } })))],
    [],
  );

describe('documents decider: numbering', () => {
  it('gives the first number of the year, formatted as 发文字号, with hash and seal', () => {
    const [e] = given(documentsDecider).when(cmd(facts(1)));
    expect(e!.data).toMatchObject({ number: '叶政办〔2024〕1号', serial: 1, documentId: 'p.office.2024.1', sha256: 'a'.repeat(64), seal, supersedes: null });
  });

  it('starts at the configured first number of the year', () => {
    expect(nextSerial(given(documentsDecider).state, 21)).toBe(21);
    expect(() => given(documentsDecider).when(cmd(facts(1, { first: 21 })))).toThrow(DomainError);
    expect(given(documentsDecider).when(cmd(facts(21, { first: 21 })))[0]!.data.number).toBe('叶政办〔2024〕21号');
  });

  it('never gives a number twice, nor skips one', () => {
    const h = [...given(documentsDecider).when(cmd(facts(1)))];
    const state = given(documentsDecider, h).state;
    expect(nextSerial(state, 1)).toBe(2);
    for (const taken of [1, 3]) {
      let err: unknown;
      try {
        given(documentsDecider, h).when(cmd(facts(taken, { subject: { kind: 'quarterly-notice', quarter: '2023-Q3' } })));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('document-number-taken');
      expect((err as DomainError).details['expected']).toBe(2);
    }
  });

  it('numbers per year: each year a series of its own, in a stream of its own', () => {
    expect(documentsStream({ planId: 'p', seriesId: 'office', year: 2023 })).not.toBe(documentsStream({ planId: 'p', seriesId: 'office', year: 2024 }));
    const in2023 = history(1, 2).map((e) => ({ ...e, data: { ...e.data, year: 2023 } }));
    expect(nextSerial(given(documentsDecider, in2023).state, 1)).toBe(3);
    // 2024's stream has none of 2023's: it starts at 1.
    expect(given(documentsDecider, []).when(cmd(facts(1)))[0]!.data.number).toBe('叶政办〔2024〕1号');
  });

  it('asks a reason for a second document on the same subject, which supersedes the first', () => {
    const h: DocumentIssued[] = given(documentsDecider).when(cmd(facts(1)));
    expect(() => given(documentsDecider, h).when(cmd(facts(2)))).toThrow(/reason is required/);
    const [e] = given(documentsDecider, h).when(cmd(facts(2), ['office'], '表格数据已更正'));
    expect(e!.data).toMatchObject({ number: '叶政办〔2024〕2号', supersedes: 'p.office.2024.1' });
  });

  it('lets the office issue notices and lists, the bureau supervision documents, no one else', () => {
    expect(() => given(documentsDecider).when(cmd(facts(1), ['supervisor']))).toThrow(ForbiddenError);
    const onCase = facts(1, { seriesId: 'bureau', prefix: '叶督', subject: { kind: 'talk-notice', unitId: 'fgw', indicatorNo: 1, caseNo: 1 } });
    expect(() => given(documentsDecider).when(cmd(onCase, ['office'], undefined, 'documents.IssueTalkNotice'))).toThrow(ForbiddenError);
    expect(given(documentsDecider).when(cmd(onCase, ['supervisor'], undefined, 'documents.IssueTalkNotice'))[0]!.data.number).toBe('叶督〔2024〕1号');
    expect(() => given(documentsDecider).when(cmd(facts(1), ['auditor']))).toThrow(ForbiddenError);
  });

  it('refuses a subject of another kind than the command issues', () => {
    expect(() => given(documentsDecider).when(cmd(facts(1), ['office'], undefined, 'documents.IssueRewardDecision'))).toThrow(/issues a reward-decision/);
  });

  it('takes the series year from the local date of issue (Asia/Shanghai)', () => {
    expect(localDate('2023-12-31T16:30:00.000Z', 'Asia/Shanghai')).toBe('2024-01-01');
    expect(localDate('2023-12-31T15:30:00.000Z', 'Asia/Shanghai')).toBe('2023-12-31');
  });

  it('finds the series of a plan published before documents existed in the shipped plan file', () => {
    const shipped = parsePlanFile(readFileSync(join(BUILTIN_PLANS_DIR, 'ye-county-2023.yaml'), 'utf8'));
    const { documents: _d, ...older } = shipped;
    expect(documentsConfigOf(older)?.series.map((x) => x.prefix)).toEqual(['叶政办', '叶政', '叶督']);
    expect(documentsConfigOf({ ...older, id: 'elsewhere-2030' })).toBeUndefined();
  });
});
