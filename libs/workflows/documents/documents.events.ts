import type { DomainEvent } from '../../engine/commands/command.js';
import type { DocumentKind } from '../plan/plan-file.js';

/**
 * Official documents (公文) issued as PDF. One stream per plan × numbering series × year
 * (`documents-<planId>-<seriesId>-<year>`), so the numbers of a year are decided in one place and
 * none is given twice. The event holds everything the PDF is rendered from (the content as data, the
 * number, the seal cited, the moment), so the same bytes come back from the events years later; and
 * the SHA-256 of those bytes, so a copy can be checked against the record.
 */
export interface SeriesRef {
  planId: string;
  seriesId: string;
  year: number;
}

/** What a document is about: the quarter, the case, the review year or the monthly report. */
export type DocumentSubject =
  | { kind: 'quarterly-notice'; quarter: string }
  | { kind: 'supervision-notice' | 'talk-notice'; unitId: string; indicatorNo: number; caseNo: number }
  | { kind: 'reward-proposal' | 'reward-decision'; year: number }
  | { kind: 'monthly-report'; unitId: string; period: string };

/** A block of the body, in reading order. */
export type Block =
  | { type: 'paragraph'; text: string }
  /** 一、 (level 1, 黑体-style) or （一） (level 2, 楷体-style) */
  | { type: 'heading'; level: 1 | 2; text: string }
  | { type: 'table'; caption?: string; columns: { title: string; width: number; align?: 'left' | 'center' | 'right' }[]; rows: string[][] }
  /** A signature block (the monthly report's): lines printed as written, right of centre. */
  | { type: 'signature'; lines: string[] };

/** The document as data: everything printed except the number, the seal and the page numbers. */
export interface DocumentContent {
  /** 发文机关标志 */
  header: string;
  title: string;
  /** 主送机关 */
  addressees: string;
  body: Block[];
  /** 发文机关署名 */
  issuer: string;
  /** 成文日期, YYYY-MM-DD (local date of issue) */
  date: string;
  /** 版记: 抄送 and 印发 */
  copiesTo?: string;
  printedBy: string;
}

/** The seal cited: the record as sealed when the document was made. */
export interface CitedSeal {
  sealId: string;
  /** Merkle root over every stream's head: the seal digest printed in the footer. */
  root: string;
  position: string;
  sealedAt: string;
}

export type DocumentIssued = DomainEvent<
  'DocumentIssued',
  SeriesRef & {
    documentId: string;
    kind: DocumentKind;
    subject: DocumentSubject;
    serial: number;
    /** 发文字号, e.g. 叶政办〔2024〕12号 */
    number: string;
    content: DocumentContent;
    seal: CitedSeal;
    /** SHA-256 (hex) of the PDF's bytes, rendered from this event. */
    sha256: string;
    bytes: number;
    issuedBy: { userId: string; name: string };
    issuedAt: string;
    /** The earlier document of the same subject this one replaces, if any. */
    supersedes: string | null;
  }
>;

export type DocumentsEvent = DocumentIssued;
export const DOCUMENTS_EVENT_TYPES = ['DocumentIssued'] as const satisfies readonly DocumentsEvent['type'][];

export const documentsStream = (r: SeriesRef) => `documents-${r.planId}-${r.seriesId}-${r.year}`;
export const documentNumber = (prefix: string, year: number, serial: number) => `${prefix}〔${year}〕${serial}号`;
/** Stable across the record: the series and year say where, the serial which. */
export const documentIdOf = (r: SeriesRef, serial: number) => `${r.planId}.${r.seriesId}.${r.year}.${serial}`;
export const subjectKey = (s: DocumentSubject): string => {
  switch (s.kind) {
    case 'quarterly-notice':
      return `${s.kind}/${s.quarter}`;
    case 'supervision-notice':
    case 'talk-notice':
      return `${s.kind}/${s.unitId}/${s.indicatorNo}/${s.caseNo}`;
    case 'reward-proposal':
    case 'reward-decision':
      return `${s.kind}/${s.year}`;
    case 'monthly-report':
      return `${s.kind}/${s.unitId}/${s.period}`;
  }
};
