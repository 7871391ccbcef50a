import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComponentUnavailableError, ResetConflictError } from '../../../src/domain/errors.js';
import { InterruptedResetFinisher } from '../../../src/services/startup-sweep.js';
import type { MetadataStore } from '../../../src/storage/metadata/metadata-store.js';
import { userRecord } from '../support/metadata-records.js';
import { PackageStores } from '../support/package-stores.js';

let stores: PackageStores;
let finisher: InterruptedResetFinisher | undefined;

beforeEach(async () => {
  stores = await PackageStores.create();
});

afterEach(async () => {
  finisher?.stop();
  await stores.dispose();
});

/** The store, its writeGeneration failing like a lost database the first `failures` times. */
function databaseBackAfter(failures: number): MetadataStore {
  let left = failures;
  return new Proxy(stores.store, {
    get(target, property) {
      if (property === 'writeGeneration' && left > 0) {
        return () => {
          left--;
          return Promise.reject(new ComponentUnavailableError('database', 'connection refused'));
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as MetadataStore;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('InterruptedResetFinisher', () => {
  it('retries until the database answers, then clears the blobs and ends the reset', async () => {
    const blob = await stores.putBlob('from before the reset');
    await stores.store.beginReset(userRecord('admin', { isAdmin: true }));
    finisher = new InterruptedResetFinisher(databaseBackAfter(1), stores.blobs);

    finisher.finishSoon(50);
    await sleep(60);
    // The first attempt met the lost database: still being reset.
    await expect(stores.store.writeGeneration()).rejects.toBeInstanceOf(ResetConflictError);
    for (const deadline = Date.now() + 2_000; Date.now() < deadline; await sleep(20)) {
      if (
        await stores.store.writeGeneration().then(
          () => true,
          () => false,
        )
      )
        break;
    }
    await expect(stores.store.writeGeneration()).resolves.toEqual(expect.any(Number));
    expect(await stores.blobs.stat(blob.digest)).toBeNull();
  });

  it('does nothing once stopped', async () => {
    await stores.store.beginReset(userRecord('admin', { isAdmin: true }));
    finisher = new InterruptedResetFinisher(stores.store, stores.blobs);
    finisher.finishSoon(20);
    finisher.stop();
    finisher.finishSoon(20);
    await sleep(80);
    await expect(stores.store.writeGeneration()).rejects.toBeInstanceOf(ResetConflictError);
  });
});
