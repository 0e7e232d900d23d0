// Two pages: index.html (the app) and login.html (the local password login, served by the
// binary at <prefix>/auth/login to browsers without a session). The login page's script and
// style keep fixed names (static-files/login.js, login.css) because the server lets anonymous
// browsers fetch exactly those two files; everything else is content-hashed (cached immutable).
import { defineConfig } from 'vite';
import { resolve } from 'node:path';

export default defineConfig({
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: process.env.SEXTANT_WEB_OUT || 'dist',
    emptyOutDir: true,
    assetsDir: 'static-files',
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      input: { index: resolve(__dirname, 'index.html'), login: resolve(__dirname, 'login.html') },
      output: {
        entryFileNames: (c) => (c.name === 'login' ? 'static-files/login.js' : 'static-files/[name]-[hash].js'),
        chunkFileNames: 'static-files/[name]-[hash].js',
        assetFileNames: (a) =>
          (a.names ?? []).some((n) => n === 'login.css') ? 'static-files/login.css' : 'static-files/[name]-[hash][extname]',
      },
    },
  },
  test: { include: ['tests/unit/**/*.test.ts'], environment: 'node' },
} as any);
