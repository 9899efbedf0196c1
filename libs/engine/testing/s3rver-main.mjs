// A real S3-compatible server for tests (s3rver), in a process of its own: `node s3rver-main.mjs DIR BUCKET…`.
// Listens on a free port of 127.0.0.1 and prints `{"port":N}` once the buckets exist; SIGTERM stops it.
import S3rver from 's3rver';

const [dir, ...buckets] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
