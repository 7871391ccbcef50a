#!/usr/bin/env node
/**
 * `modelguard`: the registry from a terminal. Every command takes --url, --token and --json;
 * results go to stdout, progress and messages to stderr, and the exit code says what happened
 * (exit-codes.ts). The commands are in program.ts.
 */
import { processIo } from './context.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
