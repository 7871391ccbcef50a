#!/usr/bin/env node
// Usage: node scripts/s3rver.mjs [port] [dir]
// Runs s3rver (a local S3-protocol server) for manual runs and benchmarks. It reuses the test
// harness, so it serves ranges exactly as the tests expect; tsx loads that TypeScript module.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const [portArgument, directoryArgument] = process.argv.slice(2);
const port = Number(portArgument ?? 4568);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`usage: node scripts/s3rver.mjs [port] [dir]  (bad port "${portArgument}")`);
  process.exit(2);
}
const directory = resolve(directoryArgument ?? join(tmpdir(), 'modelguard-s3rver'));

const { startS3rver } = await tsImport('../test/support/s3rver.ts', import.meta.url);
const s3 = await startS3rver({ bucket: 'modelguard', port, directory });

console.log(`s3rver listening on ${s3.endpoint}, storing objects in ${directory}`);
console.log('Run ModelGuard against it with:');
console.log(`  export S3_BUCKET=${s3.bucket}`);
console.log(`  export S3_ENDPOINT=${s3.endpoint}`);
console.log('  export S3_FORCE_PATH_STYLE=true');
console.log(`  export AWS_ACCESS_KEY_ID=${s3.credentials.accessKeyId}`);
console.log(`  export AWS_SECRET_ACCESS_KEY=${s3.credentials.secretAccessKey}`);
console.log('Press Ctrl+C to stop.');

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await s3.dispose();
    process.exit(0);
  });
}
