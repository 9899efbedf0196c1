import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';

/** s3rver's fixed credentials (it checks signatures made with them). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * A real S3-compatible server (the s3rver package) in a child process, on a free port and a temp
 * directory of the test's own, with the given buckets (3+ lower-case characters) created.
 */
export class TestS3Server {
  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly process: ChildProcess,
  ) {}

  static async start(buckets: string[]): Promise<TestS3Server> {
    const dir = mkdtempSync(join(tmpdir(), 'jixiao-s3-'));
    const child = spawn(process.execPath, ['--no-warnings', fileURLToPath(new URL('./s3rver-main.mjs', import.meta.url)), dir, ...buckets], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('s3rver did not start within 15 s')), 15_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = /\{"port":(\d+)\}/.exec(out);
        if (line) {
          clearTimeout(timer);
          resolve(Number(line[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`s3rver exited (${code})`)));
    });
    return new TestS3Server(port, dir, child);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A BLOB_STORE_URL for a bucket (credentials in the URL, as a deployment may give them). */
  url(bucket: string, prefix = ''): string {
    const { accessKeyId, secretAccessKey } = S3RVER_CREDENTIALS;
    return `s3://${accessKeyId}:${secretAccessKey}@${bucket}${prefix ? `/${prefix}` : ''}?endpoint=${encodeURIComponent(this.endpoint)}&region=us-east-1`;
  }

  /** A plain client, for a test to reach behind the blob store (as someone with write access to the bucket would). */
  client(): S3Client {
    return new S3Client({ endpoint: this.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED' });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.process.once('exit', r));
    this.process.kill('SIGTERM');
    await exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
