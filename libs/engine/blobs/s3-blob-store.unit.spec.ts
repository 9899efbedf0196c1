import { parseS3Url, redactS3Url } from './s3-blob-store.js';

describe('BLOB_STORE_URL s3://…', () => {
  it('reads bucket, prefix, endpoint, region and credentials from the URL', () => {
    expect(parseS3Url('s3://AK:S%2Fcret@county-blobs/jixiao/2024/?endpoint=http%3A%2F%2F10.0.0.5%3A9000&region=cn-north-1', {})).toEqual({
      bucket: 'county-blobs',
      prefix: 'jixiao/2024',
      endpoint: 'http://10.0.0.5:9000',
      region: 'cn-north-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'S/cret' },
    });
  });

  it('leaves credentials to the AWS SDK chain (AWS_ACCESS_KEY_ID…) when the URL has none, region from AWS_REGION', () => {
    const where = parseS3Url('s3://county-blobs', { AWS_REGION: 'eu-west-1' });
    expect(where).toEqual({ bucket: 'county-blobs', prefix: '', region: 'eu-west-1', forcePathStyle: false });
    expect(parseS3Url('s3://county-blobs?endpoint=http://minio:9000&pathStyle=false', {}).forcePathStyle).toBe(false);
  });

  it('refuses a bucket name S3 would refuse and never shows credentials', () => {
    expect(() => parseS3Url('s3://Ab', {})).toThrow(/bucket name/);
    expect(redactS3Url('s3://AK:SECRET@bucket/p')).toBe('s3://…@bucket/p');
  });
});
