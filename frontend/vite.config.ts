/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { compression, defineAlgorithm } from 'vite-plugin-compression2'

// The backend serves dist/ at / and dist/assets at /assets, so base and assetsDir stay at Vite's defaults.
const target = process.env.COURTYARD_API ?? 'http://127.0.0.1:8000'
// changeOrigin stays false: Strawberry refuses WebSocket handshakes whose Origin it does not know.
const proxy = {
  '/graphql': { target, ws: true, changeOrigin: false },
  '/api': { target, changeOrigin: false },
}

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components (and their CSS) are imported by the templates that use them, so each route's chunk
    // carries only its own: the login page does not download tables, trees, date pickers or charts.
    // Left out under Vitest: unit tests install Element Plus themselves, as before (and Node cannot import its CSS).
    ...(process.env.VITEST ? [] : [Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false })]),
    // x.js.br and x.js.gz next to every asset (and index.html): backend/main.py picks one by Accept-Encoding,
    // so the server never compresses on the fly.
    compression({
      algorithms: [defineAlgorithm('brotliCompress'), defineAlgorithm('gzip', { level: 9 })],
      include: /\.(js|mjs|css|html|svg|json|txt|woff)$/,
      threshold: 1024,
      skipIfLargerOrEqual: true,
      logLevel: 'silent',
    }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.spec.ts'],
  },
})
