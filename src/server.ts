import { setFlagsFromString } from 'node:v8';

/**
 * The server's entry point. Before anything else is loaded, V8's young generation is kept at its
 * initial size (1 MiB semi-spaces): loading and starting the registry allocates tens of megabytes
 * of long-lived objects (modules, compiled schemas), which made V8 grow the young generation to
 * its 16 MiB semi-space maximum, about 25 MB of RSS an idle registry never used again (V8 shrinks
 * it only after major collections at a low allocation rate). Serving allocates little on the JS
 * heap (package bytes go through reused or external buffers), so the smaller young generation
 * costs only more, cheap, scavenges. Measured in bench/README.md (idle memory).
 */
setFlagsFromString('--semi-space-growth-factor=1');
await import('./serve.js');
