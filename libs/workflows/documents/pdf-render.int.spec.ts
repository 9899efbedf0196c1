import type { RenderInput } from './pdf-render.js';
import { chineseDate, renderDocument, sha256Hex } from './pdf-render.js';
import { pdfText, pngOf } from './documents.testing.js';

/** The renderer alone (it reads the font files): GB/T 9704 parts in the text layer, and the same bytes each time. */
export const SAMPLE: RenderInput = {
  number: '叶政办〔2023〕3号',
  documentId: 'ye-county-2023.office.2023.3',
  issuedAt: '2023-07-12T02:00:00.000Z',
  seal: { sealId: 'seal-20230712020000-123', root: 'ab'.repeat(32), position: '123', sealedAt: '2023-07-12T02:00:00.000Z' },
  content: {
    header: '叶县人民政府办公室文件',
    title: '叶县人民政府办公室关于2023年第二季度高质量发展综合绩效评估情况的通报',
    addressees: '县推进工作领导小组各成员单位',
    issuer: '叶县人民政府办公室',
    date: '2023-07-12',
    printedBy: '叶县人民政府办公室',
    copiesTo: '县委办公室，县人大常委会办公室',
    body: [
      {
        type: 'paragraph',
        text: '根据《叶县2023年度高质量发展综合绩效推进方案》（叶政〔2023〕20号），县推进办对各责任单位2023年第二季度指标完成情况进行了评估，现将有关情况通报如下。',
      },
      { type: 'heading', level: 1, text: '一、总体情况' },
      {
        type: 'table',
        caption: '指标排名及预警情况',
        columns: [
          { title: '序号', width: 1, align: 'center' },
          { title: '指标', width: 5 },
          { title: '排名', width: 1.2, align: 'center' },
        ],
        rows: [['1', '规模以上工业增加值增速', '6']],
      },
      { type: 'heading', level: 2, text: '（一）下步要求' },
      { type: 'paragraph', text: '各责任单位要对照目标任务，认真分析落后原因，制定应对举措。' },
    ],
  },
};

describe('renderDocument', () => {
  it('prints the number, title, issuing body, date and seal digest, and renders the same bytes twice', async () => {
    const t0 = Date.now();
    const a = await renderDocument(SAMPLE);
    const ms = Date.now() - t0;
    const b = await renderDocument(SAMPLE);
    console.log(`sample: ${a.length} bytes, first render ${ms} ms`);
    expect(sha256Hex(a)).toBe(sha256Hex(b));
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(a, 'sample').replace(/\s+/g, '');
    for (const s of [
      '叶县人民政府办公室文件',
      '叶政办〔2023〕3号',
      '第二季度高质量发展综合绩效评估情况的通报',
      '县推进工作领导小组各成员单位：',
      '2023年7月12日',
      SAMPLE.seal.root,
      '—1—',
      '规模以上工业增加值增速',
    ]) {
      expect(text).toContain(s);
    }
    pngOf(a, 'sample');
  });

  it('changes the bytes when the seal cited changes', async () => {
    const other = await renderDocument({ ...SAMPLE, seal: { ...SAMPLE.seal, root: 'cd'.repeat(32) } });
    expect(sha256Hex(other)).not.toBe(sha256Hex(await renderDocument(SAMPLE)));
  });

  it('writes dates as GB/T 9704 does', () => {
    expect(chineseDate('2024-01-05')).toBe('2024年1月5日');
  });
});
