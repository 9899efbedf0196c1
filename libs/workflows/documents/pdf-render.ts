import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Block, CitedSeal, DocumentContent } from './documents.events.js';

/**
 * Renders an official document (公文) in the layout of GB/T 9704-2012 (党政机关公文格式): A4, the
 * type area (版心) 156 × 225 mm set 37 mm from the top and 28 mm from the left, 22 lines of 28
 * characters in 3号 (16 pt), the issuing body's mark (发文机关标志) red and centred with its top edge
 * 35 mm below the type area's, the number (发文字号) two lines beneath, the red separator line 4 mm
 * under it, the title in 2号 (22 pt), then addressees, body, the issuing body and date (成文日期)
 * with the seal area over them, the imprint (版记) at the foot of the last page and the page
 * numbers (— 1 —) 7 mm under the type area, odd pages right, even pages left.
 *
 * One font: Noto Serif SC, a Song (宋体) face, subset-embedded so the PDF prints the same everywhere
 * and stays small. The standard asks for 仿宋 in the body, 小标宋 in the title and 黑体/楷体 in
 * headings; no such face is in a kept package, so the Song face stands in (bold for title,
 * mark and first-level headings).
 *
 * Deterministic: every date and identifier in the file comes from the input (the issue event), so
 * the same event renders the same bytes, which is what lets a document be checked by its hash.
 */
export interface RenderInput {
  number: string;
  content: DocumentContent;
  seal: CitedSeal;
  /** ISO instant of issue: the PDF's CreationDate and ModDate. */
  issuedAt: string;
  documentId: string;
}

const MM = 72 / 25.4;
const PAGE = { width: 210 * MM, height: 297 * MM };
const AREA = { left: 28 * MM, top: 37 * MM, width: 156 * MM, height: 225 * MM };
const AREA_BOTTOM = AREA.top + AREA.height;
const BODY_SIZE = 16; // 3号
const TITLE_SIZE = 22; // 2号
const TABLE_SIZE = 11;
const LINES_PER_PAGE = 22;
const PITCH = AREA.height / LINES_PER_PAGE; // 22 lines on the type area's height
const CHARS_PER_LINE = 28;
/** 28 full-width characters fill the 156 mm line: each is 15.79 pt wide, the 16 pt face squeezed by the spacing. */
const CHAR_SPACING = AREA.width / CHARS_PER_LINE - BODY_SIZE;
const CHAR = AREA.width / CHARS_PER_LINE;
const RED = '#E60012';

let fonts: { regular: Buffer; bold: Buffer } | undefined;
function fontFiles(): { regular: Buffer; bold: Buffer } {
  if (!fonts) {
    const dir = dirname(createRequire(import.meta.url).resolve('@expo-google-fonts/noto-serif-sc/package.json'));
    fonts = {
      regular: readFileSync(join(dir, '400Regular', 'NotoSerifSC_400Regular.ttf')),
      bold: readFileSync(join(dir, '700Bold', 'NotoSerifSC_700Bold.ttf')),
    };
  }
  return fonts;
}

/** 2024-01-05 → 2024年1月5日 (GB/T 9704-2012: Arabic numerals, no leading zeros). */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function renderDocument(input: RenderInput): Promise<Buffer> {
  const { content } = input;
  const when = new Date(input.issuedAt);
  // pdfkit (with fontkit and its tables) is loaded when a document is rendered, not by every start.
  const PDFDocument = (await import('pdfkit')).default;
  const doc = new PDFDocument({
    size: [PAGE.width, PAGE.height],
    margins: { top: AREA.top, left: AREA.left, right: PAGE.width - AREA.left - AREA.width, bottom: PAGE.height - AREA_BOTTOM },
    bufferPages: true,
    autoFirstPage: true,
    compress: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: content.title,
      Author: content.issuer,
      Subject: input.number,
      Keywords: `${input.documentId} ${input.seal.sealId} ${input.seal.root}`,
      Creator: 'Jixiao',
      Producer: 'Jixiao (PDFKit)',
      CreationDate: when,
      ModDate: when,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const { regular, bold } = fontFiles();
  doc.registerFont('song', regular);
  doc.registerFont('song-bold', bold);

  const body = (font = 'song', size = BODY_SIZE) => {
    doc.font(font).fontSize(size);
    return { lineGap: Math.max(0, PITCH - doc.currentLineHeight(true)), characterSpacing: size === BODY_SIZE ? CHAR_SPACING : 0 };
  };

  // 版头: the issuing body's mark, as large as fits (at most 15 mm a character wide), red.
  const header = content.header;
  doc.font('song-bold');
  const headerSize = Math.min(42, (AREA.width / header.length) * 0.96);
  doc.fontSize(headerSize).fillColor(RED);
  // The standard sets the mark's top 35 mm below the type area's top for documents carrying 份号 and
  // 密级; these carry neither, and offices then raise it (25 mm), leaving room for the body on page one.
  const headerTop = AREA.top + 25 * MM;
  doc.text(header, AREA.left, headerTop, { width: AREA.width, align: 'center', lineBreak: false });
  const headerBottom = doc.y;

  // 发文字号: two lines under the mark, centred.
  const numberTop = headerBottom + PITCH;
  doc.fillColor('black');
  let o = body();
  doc.text(input.number, AREA.left, numberTop, { width: AREA.width, align: 'center', lineBreak: false, characterSpacing: 0 });
  const ruleY = numberTop + BODY_SIZE * 1.15 + 4 * MM;
  doc
    .save()
    .moveTo(AREA.left, ruleY)
    .lineTo(AREA.left + AREA.width, ruleY)
    .lineWidth(1.2)
    .strokeColor(RED)
    .stroke()
    .restore();

  // Title: two lines under the rule, 2号, bold, centred.
  doc.font('song-bold').fontSize(TITLE_SIZE).fillColor('black');
  doc.text(content.title, AREA.left + CHAR, ruleY + PITCH * 1.5, { width: AREA.width - 2 * CHAR, align: 'center', lineGap: 6 });
  doc.moveDown(0.2);

  // 主送机关: one line under the title, flush left, ending with a full-width colon.
  o = body();
  doc.y += PITCH * 0.6;
  if (content.addressees) doc.text(`${content.addressees}：`, AREA.left, doc.y, { width: AREA.width, ...o });

  for (const block of content.body) renderBlock(doc, block, body);

  renderSignature(doc, content, body);
  renderImprint(doc, content, body);
  renderFooters(doc, input);

  doc.end();
  return done;
}

type BodyFont = (font?: string, size?: number) => { lineGap: number; characterSpacing: number };

function ensureRoom(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > AREA_BOTTOM) {
    doc.addPage();
    doc.y = AREA.top;
  }
}

function renderBlock(doc: PDFKit.PDFDocument, block: Block, body: BodyFont): void {
  switch (block.type) {
    case 'paragraph': {
      const o = body();
      doc.text(block.text, AREA.left, doc.y, { width: AREA.width, indent: 2 * CHAR, align: 'justify', ...o });
      return;
    }
    case 'heading': {
      const o = body(block.level === 1 ? 'song-bold' : 'song');
      ensureRoom(doc, PITCH * 2);
      doc.text(block.text, AREA.left, doc.y, { width: AREA.width, indent: 2 * CHAR, ...o });
      return;
    }
    case 'table':
      renderTable(doc, block, body);
      return;
    case 'signature': {
      const o = body();
      ensureRoom(doc, PITCH * (block.lines.length + 1));
      doc.y += PITCH * 0.5;
      for (const line of block.lines) doc.text(line, AREA.left + 10 * CHAR, doc.y, { width: AREA.width - 10 * CHAR, ...o });
      return;
    }
    default: {
      const never: never = block;
      throw new Error(`unknown block ${JSON.stringify(never)}`);
    }
  }
}

function renderTable(doc: PDFKit.PDFDocument, t: Extract<Block, { type: 'table' }>, body: BodyFont): void {
  const total = t.columns.reduce((s, c) => s + c.width, 0);
  const widths = t.columns.map((c) => (c.width / total) * AREA.width);
  const pad = 3;
  const rowHeight = (cells: string[], header: boolean) => {
    doc.font(header ? 'song-bold' : 'song').fontSize(TABLE_SIZE);
    return Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: widths[i]! - 2 * pad, lineGap: 2 }))) + 2 * pad;
  };
  // The caption, the header row and the first row stay together: a header alone at a page's foot says nothing.
  const headerRow = t.columns.map((c) => c.title);
  ensureRoom(doc, (t.caption ? PITCH * 1.3 : 0) + 4 + rowHeight(headerRow, true) + (t.rows[0] ? rowHeight(t.rows[0], false) : 0));
  if (t.caption) {
    const o = body('song-bold');
    doc.text(t.caption, AREA.left, doc.y + PITCH * 0.3, { width: AREA.width, align: 'center', ...o });
  }
  doc.y += 4;
  const drawRow = (cells: string[], header: boolean) => {
    const h = rowHeight(cells, header);
    if (doc.y + h > AREA_BOTTOM) {
      doc.addPage();
      doc.y = AREA.top;
      if (!header)
        drawRow(
          t.columns.map((c) => c.title),
          true,
        );
    }
    const top = doc.y;
    let x = AREA.left;
    cells.forEach((c, i) => {
      const w = widths[i]!;
      doc.save().rect(x, top, w, h).lineWidth(0.5).strokeColor('black').stroke().restore();
      doc
        .font(header ? 'song-bold' : 'song')
        .fontSize(TABLE_SIZE)
        .fillColor('black');
      doc.text(c, x + pad, top + pad, { width: w - 2 * pad, align: header ? 'center' : (t.columns[i]!.align ?? 'left'), lineGap: 2 });
      x += w;
    });
    doc.y = top + h;
  };
  drawRow(headerRow, true);
  for (const r of t.rows) drawRow(r, false);
  doc.y += PITCH * 0.5;
  doc.x = AREA.left;
}

/**
 * 发文机关署名 and 成文日期 with the seal area: the date right-aligned, four characters in from the
 * right; the issuing body centred over the date; the seal (印章, 42 mm) centred on them, pressing
 * on the body above — drawn as its outline, where the office stamps the paper copy.
 */
function renderSignature(doc: PDFKit.PDFDocument, content: DocumentContent, body: BodyFont): void {
  const o = body();
  // GB/T 9704 7.3.5: when the space under the body is short, narrow the gap rather than carry the
  // signature alone to a new page; the seal may press on the body above.
  const room = (AREA_BOTTOM - doc.y) / PITCH;
  const gap = room >= 4 ? 2 : room >= 3 ? 1 : room >= 2.2 ? 0.2 : 1;
  ensureRoom(doc, PITCH * (gap + 2));
  const date = chineseDate(content.date);
  doc.font('song').fontSize(BODY_SIZE);
  const dateWidth = doc.widthOfString(date, { characterSpacing: CHAR_SPACING });
  const dateRight = AREA.left + AREA.width - 4 * CHAR;
  const centre = dateRight - dateWidth / 2;
  const issuerWidth = Math.min(doc.widthOfString(content.issuer, { characterSpacing: CHAR_SPACING }), AREA.width - 2 * CHAR);
  const issuerY = doc.y + PITCH * gap;
  const issuerLeft = Math.min(centre - issuerWidth / 2, AREA.left + AREA.width - issuerWidth);
  doc.text(content.issuer, issuerLeft, issuerY, { width: issuerWidth + 2, lineBreak: false, ...o });
  const dateY = issuerY + PITCH;
  doc.text(date, dateRight - dateWidth, dateY, { width: dateWidth + 2, lineBreak: false, ...o });
  const r = 21 * MM;
  const cy = dateY - PITCH * 0.4;
  doc.save().circle(centre, cy, r).lineWidth(0.8).dash(3, { space: 3 }).strokeColor(RED, 0.6).stroke().undash().restore();
  doc.save().font('song').fontSize(8).fillColor(RED, 0.7);
  doc.text('（印章）', centre - r, cy - r + 6, { width: 2 * r, align: 'center', lineBreak: false });
  doc.restore();
  doc.fillColor('black');
  doc.x = AREA.left;
  doc.y = dateY + PITCH;
}

/** 版记 at the foot of the last page: 抄送, then 印发机关 and 印发日期 between two heavy lines. */
function renderImprint(doc: PDFKit.PDFDocument, content: DocumentContent, body: BodyFont): void {
  const size = 14; // 4号
  const rows = content.copiesTo ? 2 : 1;
  const height = rows * PITCH + 4;
  if (doc.y + height + PITCH > AREA_BOTTOM) {
    doc.addPage();
  }
  const bottom = AREA_BOTTOM;
  const top = bottom - height;
  const heavy = (y: number) =>
    doc
      .save()
      .moveTo(AREA.left, y)
      .lineTo(AREA.left + AREA.width, y)
      .lineWidth(1)
      .strokeColor('black')
      .stroke()
      .restore();
  const thin = (y: number) =>
    doc
      .save()
      .moveTo(AREA.left, y)
      .lineTo(AREA.left + AREA.width, y)
      .lineWidth(0.5)
      .strokeColor('black')
      .stroke()
      .restore();
  heavy(top);
  body('song', size);
  doc.fontSize(size).fillColor('black');
  let y = top + (PITCH - size) / 2;
  if (content.copiesTo) {
    doc.text(`抄送：${content.copiesTo}。`, AREA.left + CHAR, y, { width: AREA.width - 2 * CHAR, lineBreak: false });
    y += PITCH;
    thin(top + PITCH);
  }
  doc.text(content.printedBy, AREA.left + CHAR, y, { width: AREA.width / 2, lineBreak: false });
  const printed = `${chineseDate(content.date)}印发`;
  const w = doc.widthOfString(printed);
  doc.text(printed, AREA.left + AREA.width - CHAR - w, y, { width: w + 2, lineBreak: false });
  heavy(bottom);
}

/** Page numbers (— n —, 4号) and, under them, the seal the document was made under: the digest a paper copy is checked against. */
function renderFooters(doc: PDFKit.PDFDocument, input: RenderInput): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottomMargin = doc.page.margins.bottom;
    // Writing under the bottom margin would start a new page: lift it while the footer is written.
    doc.page.margins.bottom = 0;
    const n = i + 1;
    const label = `— ${n} —`;
    doc.font('song').fontSize(14).fillColor('black');
    const w = doc.widthOfString(label);
    const y = AREA_BOTTOM + 7 * MM;
    const x = n % 2 === 1 ? AREA.left + AREA.width - CHAR - w : AREA.left + CHAR;
    doc.text(label, x, y, { width: w + 2, lineBreak: false });
    doc.font('song').fontSize(6.5).fillColor('#555555');
    doc.text(`${input.number} · 依据记录封存 ${input.seal.sealId}（${input.seal.sealedAt}）生成`, AREA.left, PAGE.height - 16 * MM, {
      width: AREA.width,
      align: 'center',
      lineBreak: false,
    });
    doc.text(`封存摘要 ${input.seal.root}`, AREA.left, PAGE.height - 16 * MM + 9, { width: AREA.width, align: 'center', lineBreak: false });
    doc.fillColor('black');
    doc.page.margins.bottom = bottomMargin;
  }
}
