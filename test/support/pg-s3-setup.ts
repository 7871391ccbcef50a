import { afterAll } from 'vitest';
import { disposeSharedS3rver } from './test-storage.js';

// Setup file of the feature-pg-s3 project: stop this file's s3rver once its tests are done.
afterAll(() => disposeSharedS3rver());
