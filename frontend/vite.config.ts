/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The backend serves dist/ at / and dist/assets at /assets, so base and assetsDir stay at Vite's defaults.
const target = process.env.COURTYARD_API ?? 'http://127.0.0.1:8000'
// changeOrigin stays false: Strawberry refuses WebSocket handshakes whose Origin it does not know.
const proxy = {
  '/graphql': { target, ws: true, changeOrigin: false },
  '/api': { target, changeOrigin: false },
}

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    chunkSizeWarningLimit: 2000,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.spec.ts'],
  },
})
