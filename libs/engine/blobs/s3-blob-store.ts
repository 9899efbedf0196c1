import { createHash } from 'node:crypto';
// The AWS SDK is loaded when an S3 blob store is opened, not by every start (over a second of
// module loading on a loaded machine, for deployments that keep their blobs elsewhere).
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

type S3Sdk = typeof import('@aws-sdk/client-s3');

const HASH = /^[0-9a-f]{64}$/;

/** What `s3://BUCKET[/PREFIX]?endpoint=…&region=…` says, with credentials when the URL carries them. */
export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for the bucket's root). */
  prefix: string;
  endpoint?: string;
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`): the default when an endpoint is given (MinIO, Ceph, s3rver…). */
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * Parses `s3://[ACCESS_KEY:SECRET@]BUCKET[/PREFIX]?endpoint=URL&region=REGION[&pathStyle=false]`.
 * Without credentials in the URL the AWS SDK's default chain is used (AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE, an instance role…); the region falls back
 * to AWS_REGION, then us-east-1.
 */
export function parseS3Url(url: string, env: NodeJS.ProcessEnv = process.env): S3Location {
  const u = new URL(url);
  if (u.protocol !== 's3:') throw new Error(`"${redactS3Url(url)}" is not an s3:// URL`);
  const bucket = u.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`"${bucket}" is not an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)`);
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '');
  const endpoint = u.searchParams.get('endpoint') ?? undefined;
  const region = u.searchParams.get('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const pathStyle = u.searchParams.get('pathStyle') ?? u.searchParams.get('forcePathStyle');
  const credentials = u.username && u.password ? { accessKeyId: decodeURIComponent(u.username), secretAccessKey: decodeURIComponent(u.password) } : undefined;
  return {
    bucket,
    prefix,
    ...(endpoint ? { endpoint } : {}),
    region,
    forcePathStyle: pathStyle ? pathStyle !== 'false' : Boolean(endpoint),
    ...(credentials ? { credentials } : {}),
  };
}

/** The URL with any credentials left out, for logs and errors. */
export const redactS3Url = (url: string): string => url.replace(/^(s3:\/\/)[^@/]*@/, '$1…@');

const statusOf = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * An S3-compatible bucket (AWS S3, MinIO, Ceph, …): one object per blob under `PREFIX/ab/abcdef…`.
 * A blob is never overwritten: `put` looks first (HEAD) and then writes with `If-None-Match: *`,
 * which S3 and current MinIO refuse (412) when the key exists — so two writers racing for the same
 * bytes store them once. Each PUT carries the bytes' SHA-256 as `x-amz-checksum-sha256` (and their
 * MD5 as Content-MD5), so a server that checks them refuses bytes damaged on the way. Deleting or
 * changing objects is for the bucket's policy to refuse (object lock / no DeleteObject for the
 * application's key); `audit verify` finds a blob that was altered or removed all the same.
 * (A `BlobStore` of blob-store.ts, structurally: that module opens this one.)
 */
export class S3BlobStore {
  readonly kind = 's3';
  readonly #sdk: Promise<S3Sdk>;
  readonly #client: Promise<S3Client>;

  constructor(readonly where: S3Location) {
    const config: S3ClientConfig = {
      region: where.region,
      forcePathStyle: where.forcePathStyle,
      ...(where.endpoint ? { endpoint: where.endpoint } : {}),
      ...(where.credentials ? { credentials: where.credentials } : {}),
      // We send our own SHA-256; no aws-chunked trailers, which several S3-compatible servers do not read.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_SUPPORTED',
    };
    this.#sdk = import('@aws-sdk/client-s3');
    this.#client = this.#sdk.then((sdk) => new sdk.S3Client(config));
    // Failures surface on the first request; not as an unhandled rejection here.
    this.#client.catch(() => undefined);
  }

  get location(): string {
    return `s3://${this.where.bucket}/${this.where.prefix}${this.where.endpoint ? ` at ${this.where.endpoint}` : ''}`;
  }

  keyOf(sha256: string): string {
    if (!HASH.test(sha256)) throw new Error(`"${sha256}" is not a SHA-256 written in lower-case hex`);
    return `${this.where.prefix ? `${this.where.prefix}/` : ''}${sha256.slice(0, 2)}/${sha256}`;
  }

  async #exists(key: string): Promise<boolean> {
    try {
      const [client, { HeadObjectCommand }] = await Promise.all([this.#client, this.#sdk]);
      await client.send(new HeadObjectCommand({ Bucket: this.where.bucket, Key: key }));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  async put(bytes: Buffer): Promise<{ sha256: string; size: number; created: boolean }> {
    const digest = createHash('sha256').update(bytes).digest();
    const sha256 = digest.toString('hex');
    const key = this.keyOf(sha256);
    if (await this.#exists(key)) return { sha256, size: bytes.length, created: false };
    const [client, { PutObjectCommand }] = await Promise.all([this.#client, this.#sdk]);
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: this.where.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: 'application/octet-stream',
          ContentMD5: createHash('md5').update(bytes).digest('base64'),
          ChecksumSHA256: digest.toString('base64'),
          IfNoneMatch: '*',
        }),
      );
    } catch (err) {
      // 412: another writer stored the same key between our HEAD and PUT; 409: a conflicting concurrent PUT.
      if (statusOf(err) === 412 || statusOf(err) === 409) return { sha256, size: bytes.length, created: false };
      throw err;
    }
    return { sha256, size: bytes.length, created: true };
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    const key = this.keyOf(sha256);
    try {
      const [client, { GetObjectCommand }] = await Promise.all([this.#client, this.#sdk]);
      const r = await client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: key, ChecksumMode: 'ENABLED' }));
      return r.Body ? Buffer.from(await r.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async close(): Promise<void> {
    (await this.#client).destroy();
  }
}
