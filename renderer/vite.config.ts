/**
 * Builds the admin UI into dist/renderer with relative asset URLs (`base: './'`), so the same
 * files load from the daemon at /ui/ and from the Electron shell. Run from the repository root:
 * `vite build --config renderer/vite.config.ts`. No inline scripts or styles end up in the
 * output, so the strict CSP (`script-src 'self'; style-src 'self'`) holds.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
});
