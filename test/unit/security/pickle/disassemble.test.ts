import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ByteReader, FormatError } from '../../../../src/security/pickle/byte-reader.js';
import { disassemblePickle, PICKLE_LIMITS } from '../../../../src/security/pickle/disassemble.js';

/**
 * Hand-assembled pickles for the opcodes and failure modes the CPython-written corpus does not
 * reach. Opcode bytes are written as in pickletools' listings ('S' STRING, '\x93' STACK_GLOBAL ...).
 */
function pickle(...parts: Array<string | Buffer>): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : part)));
}

const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
};
const i32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32LE(value);
  return bytes;
};
const u64 = (value: bigint) => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes;
};

/** SHORT_BINSTRING: a protocol 2 `str` of up to 255 bytes. */
const shortBinstring = (text: string) => pickle('U', Buffer.from([text.length]), text);
/** BINSTRING: a `str` with a signed 4-byte length. */
const binstring = (text: string) => pickle('T', i32(text.length), text);

function disassemble(bytes: Buffer) {
  return disassemblePickle(ByteReader.of(Readable.from([bytes])));
}

/** The names of the globals a pickle refers to, dotted. */
async function globalsOf(bytes: Buffer): Promise<string[]> {
  return (await disassemble(bytes)).globals.map((g) => `${g.module}.${g.name}`);
}

async function formatError(bytes: Buffer): Promise<string> {
  const error = await disassemble(bytes).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FormatError);
  return (error as FormatError).message;
}

const saved = { ...PICKLE_LIMITS };
afterEach(() => {
  Object.assign(PICKLE_LIMITS, saved);
});

describe('global names built from strings', () => {
  it('resolves STACK_GLOBAL over protocol 2 strings (BINSTRING, SHORT_BINSTRING)', async () => {
    expect(await globalsOf(pickle(binstring('os'), shortBinstring('system'), '\x93.'))).toEqual([
      'os.system',
    ]);
  });

  it('resolves protocol 0 STRING arguments with their escapes', async () => {
    // 'o\x73' and 'sys\164em' decode to os and system; \q is not an escape and stays as written.
    const bytes = pickle(
      "S'o\\x73'\n",
      "S'sys\\164em'\n",
      '\x93',
      "S'a\\'b\\q\\t'\n",
      "S'c'\n",
      '\x93',
      '0.',
    );
    expect(await globalsOf(bytes)).toEqual(['os.system', "a'b\\q\t.c"]);
  });

  it('accepts double-quoted STRING arguments and refuses unquoted ones', async () => {
    expect(await globalsOf(pickle('S"os"\n', 'S"system"\n', '\x93.'))).toEqual(['os.system']);
    expect(await formatError(pickle('Sos\n.'))).toBe('the STRING opcode argument must be quoted');
    expect(await formatError(pickle('S\'os"\n.'))).toBe('the STRING opcode argument must be quoted');
  });

  it('resolves protocol 0 UNICODE arguments with \\u and \\U escapes', async () => {
    const bytes = pickle('V\\u006fs\n', 'Vsy\\U00000073tem\n', '\x93.');
    expect(await globalsOf(bytes)).toEqual(['os.system']);
  });

  it('refuses STACK_GLOBAL on a string too long to keep', async () => {
    const long = 'x'.repeat(PICKLE_LIMITS.maxKeptStringBytes + 1);
    const report = await disassemble(pickle(binstring('os'), binstring(long), '\x93.'));
    expect(report.globals).toEqual([]);
    expect(report.refusals).toEqual(['STACK_GLOBAL at offset 1037 on values that are not plain strings']);
  });

  it('lists a global named twice once', async () => {
    const bytes = pickle('cos\nsystem\n', '0', 'cos\nsystem\n', '0', 'cbuiltins\nlen\n.');
    const report = await disassemble(bytes);
    expect(report.globals).toEqual([
      { module: 'os', name: 'system', allowed: false },
      { module: 'builtins', name: 'len', allowed: expect.any(Boolean) },
    ]);
  });
});

describe('integers', () => {
  it.each([
    ['LONG1 of no bytes', pickle('\x8a\x00.'), 0n],
    ['a negative LONG1', pickle('\x8a\x02\x00\xff.'), -256n],
    ['a LONG4', pickle('\x8b', i32(2), '\x01\x01.'), 257n],
  ])('reads %s as the whole result', async (_, bytes, value) => {
    expect((await disassemble(bytes)).integerResult).toBe(value);
  });

  it('skips a LONG4 too long to keep', async () => {
    const length = PICKLE_LIMITS.maxKeptStringBytes + 1;
    const report = await disassemble(pickle('\x8b', i32(length), Buffer.alloc(length, 1), '.'));
    expect(report.integerResult).toBeNull();
  });

  it('refuses a negative length', async () => {
    expect(await formatError(pickle('\x8b', i32(-1), '.'))).toBe('LONG4 with negative length');
    expect(await formatError(pickle('T', i32(-5), '.'))).toBe('BINSTRING with negative length');
  });

  it('refuses a 64-bit length beyond what can be addressed', async () => {
    expect(await formatError(pickle('\x95', u64(2n ** 63n), 'N.'))).toBe(`length ${2n ** 63n} out of range`);
  });
});

describe('stack, marks and memo', () => {
  it('lets POP on an empty stack drop the innermost mark, as the unpickler does', async () => {
    expect((await disassemble(pickle('(0N.'))).refusals).toEqual([]);
    expect(await formatError(pickle('0N.'))).toBe('POP without a MARK');
  });

  it.each([
    ['DUP on an empty stack', pickle('2.'), 'DUP on an empty stack'],
    ['a TUPLE without a MARK', pickle('Nt.'), 'TUPLE without a MARK'],
    ['OBJ without a class', pickle('(o.'), 'OBJ without a class at offset 1'],
    ['a PUT index that is not a number', pickle('Np-1\n.'), 'PUT index "-1" is not a number'],
    ['a GET index that is not a number', pickle('Ng0x10\n.'), 'GET index "0x10" is not a number'],
    [
      'a GET of a memo entry never written',
      pickle('Nj', u32(7), '.'),
      'memo entry 7 read before written at offset 1',
    ],
    ['an opcode no protocol defines', pickle('N\xff.'), 'unknown opcode 0xff at offset 1'],
    ['a pickle without STOP', pickle('N'), 'truncated pickle (no STOP opcode) at offset 1'],
  ])('refuses %s', async (_, bytes, message) => {
    expect(await formatError(bytes)).toBe(message);
  });

  it('memoizes under 4-byte indices and reads them back', async () => {
    const bytes = pickle(
      shortBinstring('os'),
      'r',
      u32(70000),
      '0',
      shortBinstring('system'),
      'j',
      u32(70000),
      '\x93.',
    );
    // The memo hands "os" back after "system": the global is system.os.
    expect(await globalsOf(bytes)).toEqual(['system.os']);
  });

  it('bounds the values held on the stack', async () => {
    PICKLE_LIMITS.maxHeldItems = 3;
    expect((await disassemble(pickle('NNN0N0.'))).refusals).toEqual([]);
    expect(await formatError(pickle('NNNN.'))).toBe('more than 3 values held on the pickle stack');
  });

  it('bounds the memo', async () => {
    PICKLE_LIMITS.maxMemoEntries = 2;
    expect((await disassemble(pickle('N\x94\x94q\x01.'))).refusals).toEqual([]);
    expect(await formatError(pickle('N\x94\x94\x94.'))).toBe('more than 2 memo entries');
  });

  it('bounds the text argument of a protocol 0 opcode', async () => {
    const module = 'm'.repeat(PICKLE_LIMITS.maxLineBytes + 10);
    expect(await formatError(pickle(`c${module}\nname\n.`))).toBe(
      `GLOBAL argument longer than ${PICKLE_LIMITS.maxLineBytes} bytes at offset 1`,
    );
  });
});
