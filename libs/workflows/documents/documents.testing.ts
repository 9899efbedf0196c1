import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Tests' view of a PDF: its text layer (pdftotext, Debian's poppler-utils) and its first page as PNG
// (pdftoppm), both written to test-output/ (gitignored) to be looked at.

export function pdfText(pdf: Buffer, name: string): string {
  const dir = join(process.cwd(), 'test-output');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

export function pngOf(pdf: Buffer, name: string): string {
  const dir = join(process.cwd(), 'test-output');
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, join(dir, name)]);
  return join(dir, `${name}.png`);
}
