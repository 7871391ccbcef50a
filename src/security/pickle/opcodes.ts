/**
 * Every opcode of pickle protocols 0-5 (CPython Lib/pickletools.py is the reference) and how its
 * argument is encoded in the stream. The disassembler decides each opcode's stack effect; this
 * table only says how many bytes to read.
 */
export type ArgumentKind =
  | 'none'
  | 'line' // protocol 0/1 text argument ending in \n
  | 'two-lines' // GLOBAL and INST: module\nname\n
  | 'u1'
  | 'u2'
  | 'u4'
  | 'i4'
  | 'u8' // fixed-size little-endian integers
  | 'bytes-u1'
  | 'bytes-u4'
  | 'bytes-i4'
  | 'bytes-u8' // length-prefixed bytes
  | 'fixed8'; // BINFLOAT: 8 bytes

export interface Opcode {
  name: string;
  arg: ArgumentKind;
}

const TABLE: Array<[string, string, ArgumentKind]> = [
  ['(', 'MARK', 'none'],
  ['.', 'STOP', 'none'],
  ['0', 'POP', 'none'],
  ['1', 'POP_MARK', 'none'],
  ['2', 'DUP', 'none'],
  ['F', 'FLOAT', 'line'],
  ['I', 'INT', 'line'],
  ['J', 'BININT', 'i4'],
  ['K', 'BININT1', 'u1'],
  ['L', 'LONG', 'line'],
  ['M', 'BININT2', 'u2'],
  ['N', 'NONE', 'none'],
  ['P', 'PERSID', 'line'],
  ['Q', 'BINPERSID', 'none'],
  ['R', 'REDUCE', 'none'],
  ['S', 'STRING', 'line'],
  ['T', 'BINSTRING', 'bytes-i4'],
  ['U', 'SHORT_BINSTRING', 'bytes-u1'],
  ['V', 'UNICODE', 'line'],
  ['X', 'BINUNICODE', 'bytes-u4'],
  ['a', 'APPEND', 'none'],
  ['b', 'BUILD', 'none'],
  ['c', 'GLOBAL', 'two-lines'],
  ['d', 'DICT', 'none'],
  ['}', 'EMPTY_DICT', 'none'],
  ['e', 'APPENDS', 'none'],
  ['g', 'GET', 'line'],
  ['h', 'BINGET', 'u1'],
  ['i', 'INST', 'two-lines'],
  ['j', 'LONG_BINGET', 'u4'],
  ['l', 'LIST', 'none'],
  [']', 'EMPTY_LIST', 'none'],
  ['o', 'OBJ', 'none'],
  ['p', 'PUT', 'line'],
  ['q', 'BINPUT', 'u1'],
  ['r', 'LONG_BINPUT', 'u4'],
  ['s', 'SETITEM', 'none'],
  ['t', 'TUPLE', 'none'],
  [')', 'EMPTY_TUPLE', 'none'],
  ['u', 'SETITEMS', 'none'],
  ['G', 'BINFLOAT', 'fixed8'],
  ['\x80', 'PROTO', 'u1'],
  ['\x81', 'NEWOBJ', 'none'],
  ['\x82', 'EXT1', 'u1'],
  ['\x83', 'EXT2', 'u2'],
  ['\x84', 'EXT4', 'i4'],
  ['\x85', 'TUPLE1', 'none'],
  ['\x86', 'TUPLE2', 'none'],
  ['\x87', 'TUPLE3', 'none'],
  ['\x88', 'NEWTRUE', 'none'],
  ['\x89', 'NEWFALSE', 'none'],
  ['\x8a', 'LONG1', 'bytes-u1'],
  ['\x8b', 'LONG4', 'bytes-i4'],
  ['B', 'BINBYTES', 'bytes-u4'],
  ['C', 'SHORT_BINBYTES', 'bytes-u1'],
  ['\x8c', 'SHORT_BINUNICODE', 'bytes-u1'],
  ['\x8d', 'BINUNICODE8', 'bytes-u8'],
  ['\x8e', 'BINBYTES8', 'bytes-u8'],
  ['\x8f', 'EMPTY_SET', 'none'],
  ['\x90', 'ADDITEMS', 'none'],
  ['\x91', 'FROZENSET', 'none'],
  ['\x92', 'NEWOBJ_EX', 'none'],
  ['\x93', 'STACK_GLOBAL', 'none'],
  ['\x94', 'MEMOIZE', 'none'],
  ['\x95', 'FRAME', 'u8'],
  ['\x96', 'BYTEARRAY8', 'bytes-u8'],
  ['\x97', 'NEXT_BUFFER', 'none'],
  ['\x98', 'READONLY_BUFFER', 'none'],
];

/** Opcodes by byte value; undefined for a byte no protocol defines. */
export const OPCODES: ReadonlyArray<Opcode | undefined> = (() => {
  const byCode: Array<Opcode | undefined> = new Array(256).fill(undefined);
  for (const [code, name, arg] of TABLE) byCode[code.charCodeAt(0)] = { name, arg };
  return byCode;
})();

/** The highest protocol this table covers. */
export const HIGHEST_PROTOCOL = 5;
