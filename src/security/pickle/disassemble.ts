import { isAllowedGlobal } from './allowlist.js';
import { type ByteReader, FormatError } from './byte-reader.js';
import { HIGHEST_PROTOCOL, OPCODES, type Opcode } from './opcodes.js';

/**
 * Bounds that keep a scan's memory constant whatever the file: an honest state dict stays far
 * below each (its stack holds one batch of at most 1000 items, its memo one entry per object).
 */
export const PICKLE_LIMITS = {
  /** Items on the stack and the mark stack together. */
  maxHeldItems: 1_000_000,
  maxMemoEntries: 1_000_000,
  /** Text arguments of protocol 0 opcodes (module and attribute names, numbers). */
  maxLineBytes: 64 * 1024,
  /** Strings longer than this are not kept: no module or attribute name is that long. */
  maxKeptStringBytes: 1024,
};

/** What one pickle names: each global as `module.name` with whether the allowlist admits it. */
export interface PickleGlobal {
  module: string;
  name: string;
  allowed: boolean;
}

export interface PickleReport {
  globals: PickleGlobal[];
  /** Constructs that refuse the pickle without naming a global (unresolvable STACK_GLOBAL, EXT codes). */
  refusals: string[];
  /** A LONG1/LONG4 value when the whole pickle is one integer (PyTorch's legacy magic number). */
  integerResult: bigint | null;
}

/**
 * What the abstract machine knows about a value: a string (STACK_GLOBAL names are built from
 * these), a small integer, or anything else. Nothing is ever constructed or called.
 */
type Item = { kind: 'str'; value: string } | { kind: 'int'; value: bigint } | { kind: 'other' };
const OTHER: Item = { kind: 'other' };

/**
 * Disassembles one pickle (up to and including STOP) from `reader` without executing it,
 * following the stack and memo exactly as the unpickler would so that a global name built
 * with STACK_GLOBAL from strings (pushed directly, or fetched back from the memo) is
 * resolved. Cost is linear in the bytes read; large string and bytes payloads are skipped
 * without being buffered. Throws FormatError for anything the unpickler would reject or that
 * ends early.
 */
export async function disassemblePickle(reader: ByteReader): Promise<PickleReport> {
  return new PickleMachine(reader).run();
}

class PickleMachine {
  private stack: Item[] = [];
  private readonly marks: Item[][] = [];
  private held = 0;
  private readonly memo = new Map<number, Item>();
  private readonly globals: PickleGlobal[] = [];
  private readonly refusals: string[] = [];
  /** From PROTO; a pickle without it is protocol 0 or 1. */
  private protocol = 0;

  constructor(private readonly reader: ByteReader) {}

  async run(): Promise<PickleReport> {
    const r = this.reader;
    for (;;) {
      const at = r.offset;
      if (r.available < 1) await r.require(1, 'pickle (no STOP opcode)');
      const code = r.byte();
      const op = OPCODES[code];
      if (!op)
        throw new FormatError(`unknown opcode 0x${code.toString(16).padStart(2, '0')} at offset ${at}`);
      if (op.name === 'STOP') {
        const result = this.pop(op);
        return {
          globals: this.globals,
          refusals: this.refusals,
          integerResult: result.kind === 'int' ? result.value : null,
        };
      }
      await this.step(op, at);
    }
  }

  private async step(op: Opcode, at: number): Promise<void> {
    switch (op.name) {
      case 'MARK':
        this.marks.push(this.stack);
        this.stack = [];
        return;
      case 'POP':
        if (this.stack.length > 0) this.pop(op);
        else this.popMark(op);
        return;
      case 'POP_MARK':
        this.popMark(op);
        return;
      case 'DUP':
        this.push(this.top(op));
        return;
      case 'PROTO': {
        const version = await this.u(1);
        if (version > HIGHEST_PROTOCOL) throw new FormatError(`unsupported pickle protocol ${version}`);
        this.protocol = version;
        return;
      }
      case 'FRAME':
        await this.u(8); // a framing hint only
        return;
      case 'FLOAT':
      case 'INT':
      case 'LONG':
        await this.line(op);
        this.push(OTHER);
        return;
      case 'BININT':
      case 'BININT1':
      case 'BININT2':
      case 'BINFLOAT':
        await this.fixed(op);
        this.push(OTHER);
        return;
      case 'NONE':
      case 'NEWTRUE':
      case 'NEWFALSE':
      case 'EMPTY_DICT':
      case 'EMPTY_LIST':
      case 'EMPTY_TUPLE':
      case 'EMPTY_SET':
      case 'NEXT_BUFFER':
        this.push(OTHER);
        return;
      case 'LONG1':
      case 'LONG4': {
        const bytes = await this.payload(op);
        this.push(bytes === null ? OTHER : { kind: 'int', value: littleEndianSigned(bytes) });
        return;
      }
      case 'STRING':
        this.push(this.keep(escapeDecode(unquote(await this.line(op)))));
        return;
      case 'UNICODE':
        this.push(this.keep(rawUnicodeEscapeDecode(await this.line(op))));
        return;
      case 'BINSTRING':
      case 'SHORT_BINSTRING': {
        const bytes = await this.payload(op);
        this.push(bytes === null ? OTHER : this.keep(bytes.toString('latin1')));
        return;
      }
      case 'BINUNICODE':
      case 'SHORT_BINUNICODE':
      case 'BINUNICODE8': {
        const bytes = await this.payload(op);
        this.push(bytes === null ? OTHER : this.keep(bytes.toString('utf8')));
        return;
      }
      case 'BINBYTES':
      case 'SHORT_BINBYTES':
      case 'BINBYTES8':
      case 'BYTEARRAY8':
        await this.payload(op);
        this.push(OTHER);
        return;
      case 'PERSID':
        await this.line(op);
        this.push(OTHER); // persistent_load(pid): the loader's own hook (storages in PyTorch)
        return;
      case 'BINPERSID':
      case 'READONLY_BUFFER':
        this.pop(op);
        this.push(OTHER);
        return;
      case 'GLOBAL': {
        const module = await this.line(op);
        const name = await this.line(op);
        this.global(module.toString('utf8'), name.toString('utf8'));
        this.push(OTHER);
        return;
      }
      case 'STACK_GLOBAL': {
        const name = this.pop(op);
        const module = this.pop(op);
        if (module.kind === 'str' && name.kind === 'str') this.global(module.value, name.value);
        else this.refusals.push(`STACK_GLOBAL at offset ${at} on values that are not plain strings`);
        this.push(OTHER);
        return;
      }
      case 'INST': {
        const module = await this.line(op);
        const name = await this.line(op);
        this.global(module.toString('utf8'), name.toString('utf8'));
        this.popMark(op);
        this.push(OTHER);
        return;
      }
      case 'EXT1':
      case 'EXT2':
      case 'EXT4': {
        const code = await this.fixed(op);
        this.refusals.push(`${op.name} extension code ${code} (a global from the copyreg registry)`);
        this.push(OTHER);
        return;
      }
      case 'REDUCE':
      case 'NEWOBJ':
        this.pop(op);
        this.pop(op);
        this.push(OTHER);
        return;
      case 'NEWOBJ_EX':
        this.pop(op);
        this.pop(op);
        this.pop(op);
        this.push(OTHER);
        return;
      case 'OBJ': {
        const items = this.popMark(op);
        if (items.length === 0) throw new FormatError(`OBJ without a class at offset ${at}`);
        this.push(OTHER);
        return;
      }
      case 'BUILD':
      case 'APPEND':
        this.pop(op);
        this.replaceTop(op);
        return;
      case 'SETITEM':
        this.pop(op);
        this.pop(op);
        this.replaceTop(op);
        return;
      case 'APPENDS':
      case 'SETITEMS':
      case 'ADDITEMS':
        this.popMark(op);
        this.replaceTop(op);
        return;
      case 'DICT':
      case 'LIST':
      case 'TUPLE':
      case 'FROZENSET':
        this.popMark(op);
        this.push(OTHER);
        return;
      case 'TUPLE1':
      case 'TUPLE2':
      case 'TUPLE3':
        for (let i = Number(op.name.at(-1)); i > 0; i -= 1) this.pop(op);
        this.push(OTHER);
        return;
      case 'PUT':
        this.memoize(decimal(await this.line(op), op), op);
        return;
      case 'BINPUT':
      case 'LONG_BINPUT':
        this.memoize(await this.fixed(op), op);
        return;
      case 'MEMOIZE':
        this.memoize(this.memo.size, op);
        return;
      case 'GET':
        this.fetch(decimal(await this.line(op), op), at);
        return;
      case 'BINGET':
      case 'LONG_BINGET':
        this.fetch(await this.fixed(op), at);
        return;
      default:
        throw new FormatError(`opcode ${op.name} not handled`);
    }
  }

  private global(written: string, name: string): void {
    // Python 3 writes builtins as Python 2's __builtin__ below protocol 3, and the unpickler
    // maps it back (fix_imports); no other Python 2 name maps onto an allowed global.
    const module = written === '__builtin__' && this.protocol < 3 ? 'builtins' : written;
    const allowed = isAllowedGlobal(module, name);
    if (!this.globals.some((g) => g.module === module && g.name === name)) {
      this.globals.push({ module, name, allowed });
    }
  }

  private keep(value: string): Item {
    return Buffer.byteLength(value) <= PICKLE_LIMITS.maxKeptStringBytes ? { kind: 'str', value } : OTHER;
  }

  private push(item: Item): void {
    this.held += 1;
    if (this.held > PICKLE_LIMITS.maxHeldItems) {
      throw new FormatError(`more than ${PICKLE_LIMITS.maxHeldItems} values held on the pickle stack`);
    }
    this.stack.push(item);
  }

  private pop(op: Opcode): Item {
    const item = this.stack.pop();
    if (item === undefined) throw new FormatError(`${op.name} on an empty stack`);
    this.held -= 1;
    return item;
  }

  private top(op: Opcode): Item {
    const item = this.stack.at(-1);
    if (item === undefined) throw new FormatError(`${op.name} on an empty stack`);
    return item;
  }

  /** The container under the popped values stays, but is no longer a plain string. */
  private replaceTop(op: Opcode): void {
    this.top(op);
    this.stack[this.stack.length - 1] = OTHER;
  }

  private popMark(op: Opcode): Item[] {
    const items = this.stack;
    const outer = this.marks.pop();
    if (outer === undefined) throw new FormatError(`${op.name} without a MARK`);
    this.stack = outer;
    this.held -= items.length;
    return items;
  }

  private memoize(index: number, op: Opcode): void {
    if (!this.memo.has(index) && this.memo.size >= PICKLE_LIMITS.maxMemoEntries) {
      throw new FormatError(`more than ${PICKLE_LIMITS.maxMemoEntries} memo entries`);
    }
    this.memo.set(index, this.top(op));
  }

  private fetch(index: number, at: number): void {
    const item = this.memo.get(index);
    if (item === undefined) throw new FormatError(`memo entry ${index} read before written at offset ${at}`);
    this.push(item);
  }

  private async line(op: Opcode): Promise<Buffer> {
    return this.reader.line(PICKLE_LIMITS.maxLineBytes, `${op.name} argument`);
  }

  private async u(bytes: 1 | 2 | 4 | 8): Promise<number> {
    const r = this.reader;
    await r.require(bytes, 'opcode argument');
    const raw = r.take(bytes);
    if (bytes === 8) {
      const value = raw.readBigUInt64LE();
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`length ${value} out of range`);
      return Number(value);
    }
    return raw.readUIntLE(0, bytes);
  }

  private async fixed(op: Opcode): Promise<number> {
    switch (op.arg) {
      case 'u1':
        return this.u(1);
      case 'u2':
        return this.u(2);
      case 'u4':
        return this.u(4);
      case 'u8':
        return this.u(8);
      case 'i4': {
        await this.reader.require(4, `${op.name} argument`);
        return this.reader.take(4).readInt32LE();
      }
      case 'fixed8':
        await this.u(8);
        return 0;
      default:
        throw new FormatError(`${op.name} has no fixed-size argument`);
    }
  }

  /** A length-prefixed argument: its bytes when small enough to keep, else null (skipped). */
  private async payload(op: Opcode): Promise<Buffer | null> {
    const width = { 'bytes-u1': 1, 'bytes-u4': 4, 'bytes-i4': 4, 'bytes-u8': 8 }[op.arg as string];
    if (width === undefined) throw new FormatError(`${op.name} has no length-prefixed argument`);
    let length: number;
    if (op.arg === 'bytes-i4') {
      await this.reader.require(4, `${op.name} length`);
      length = this.reader.take(4).readInt32LE();
      if (length < 0) throw new FormatError(`${op.name} with negative length`);
    } else {
      length = await this.u(width as 1 | 4 | 8);
    }
    return this.reader.takeOrSkip(length, PICKLE_LIMITS.maxKeptStringBytes, `${op.name} payload`);
  }
}

function decimal(text: Buffer, op: Opcode): number {
  const value = text.toString('latin1');
  if (!/^\d{1,15}$/.test(value))
    throw new FormatError(`${op.name} index "${value.slice(0, 40)}" is not a number`);
  return Number(value);
}

function littleEndianSigned(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i -= 1) value = (value << 8n) | BigInt(bytes[i] as number);
  const signBit = 1n << BigInt(bytes.length * 8 - 1);
  return value & signBit ? value - (signBit << 1n) : value;
}

/** The quoted argument of protocol 0 STRING ('...' or "..."), as the unpickler demands. */
function unquote(line: Buffer): Buffer {
  const first = line[0];
  if (line.length < 2 || first !== line[line.length - 1] || (first !== 0x27 && first !== 0x22)) {
    throw new FormatError('the STRING opcode argument must be quoted');
  }
  return line.subarray(1, -1);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Python's codecs.escape_decode over latin-1 text (STRING arguments). */
function escapeDecode(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return text.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|[\s\S])/g, (whole, sequence: string) => {
    if (sequence.startsWith('x') && sequence.length === 3)
      return String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
    if (/^[0-7]+$/.test(sequence)) return String.fromCharCode(Number.parseInt(sequence, 8) & 0xff);
    return SIMPLE_ESCAPES[sequence] ?? whole;
  });
}

/** Python's raw-unicode-escape (UNICODE arguments): \uXXXX and \UXXXXXXXX, other bytes latin-1. */
function rawUnicodeEscapeDecode(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_whole, short?: string, long?: string) =>
      String.fromCodePoint(Number.parseInt((short ?? long) as string, 16)),
    );
}
