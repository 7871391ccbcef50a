import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Builds the web app into dist/web, which the registry serves at `/` (src/http/web-ui.ts). */
export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Inline nothing: the Content-Security-Policy allows scripts, fonts and images from files only.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
