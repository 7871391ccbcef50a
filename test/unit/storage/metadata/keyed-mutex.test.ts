import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../../../src/storage/metadata/keyed-mutex.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A piece of work that logs its start and end and finishes when `release` is called. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release: () => release(),
    work: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
  };
}

describe('KeyedMutex', () => {
  it('runs work on one key one at a time, in the order it was asked', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const c = gate(log, 'c');
    const results = [a, b, c].map((g) => mutex.run('k', g.work));
    await tick();
    expect(log).toEqual(['start a']);
    c.release();
    b.release();
    await tick();
    expect(log).toEqual(['start a']);
    a.release();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets work on other keys run meanwhile', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const held = gate(log, 'x');
    const first = mutex.run('x', held.work);
    expect(await mutex.run('y', async () => 'y ran')).toBe('y ran');
    expect(log).toEqual(['start x']);
    held.release();
    expect(await first).toBe('x');
  });

  it('passes a failure to its caller only, and the next work still runs', async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run('k', async () => {
      throw new Error('boom');
    });
    const next = mutex.run('k', async () => 'after');
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('after');
  });

  it('takes a key again once every holder finished', async () => {
    const mutex = new KeyedMutex();
    expect(await mutex.run('k', async () => 1)).toBe(1);
    const log: string[] = [];
    const again = gate(log, 'again');
    const pending = mutex.run('k', again.work);
    await tick();
    expect(log).toEqual(['start again']);
    again.release();
    expect(await pending).toBe('again');
  });
});
