/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { VantResolver } from '@vant/auto-import-resolver'
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
    // The owner app (h5/) uses Vant (<van-*> tags), the console Element Plus (<el-*>): each resolver matches only its
    // own prefix, so neither entry's chunks carry the other's library (checked by the build's size report).
    ...(process.env.VITEST
      ? []
      : [Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' }), VantResolver({ importStyle: 'css' })], dts: false })]),
    h5OwnModules(),
    h5DevFallback(),
    // dist/h5/shell.json: the files the owner app's service worker keeps for an offline start.
    h5Shell(),
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
    // The owner app runs in WeChat's in-app browser, which is the phone's own WebView: iOS 14 and Android WebViews a
    // few years old are still common, so syntax and CSS are lowered below Vite's default (Chrome 111 / Safari 16.4).
    target: ['es2020', 'chrome87', 'safari14', 'firefox78', 'edge88'],
    cssTarget: ['chrome87', 'safari14', 'firefox78', 'edge88'],
    outDir: 'dist',
    assetsDir: 'assets',
    chunkSizeWarningLimit: 600,
    // Two pages: the console (index.html) and the owner app (h5/index.html → dist/h5/index.html); assets shared.
    rolldownOptions: {
      input: {
        console: fileURLToPath(new URL('./index.html', import.meta.url)),
        h5: fileURLToPath(new URL('./h5/index.html', import.meta.url)),
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.spec.ts'],
  },
})

/** `npm run dev`: a reload of /h5/profile gets the owner app's page, as backend/main.py does in production. */
function h5DevFallback(): Plugin {
  return {
    name: 'courtyard-h5-dev-fallback',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const path = (req.url ?? '').split('?')[0]
        if (path === '/h5') req.url = '/h5/'
        else if (path.startsWith('/h5/') && !path.split('/').pop()?.includes('.')) req.url = '/h5/index.html'
        next()
      })
    },
  }
}

/**
 * The owner app gets its own copies of the src/ modules it shares with the console (the request layer's client,
 * the auth store, generated/graphql.ts...): a module both pages import would land in a shared chunk with every export
 * either uses, and the owner app would download the console's 100-odd documents. A `?h5` suffix on every src/ module
 * the owner app reaches makes them separate modules, each tree-shaken to what its page uses.
 */
function h5OwnModules(): Plugin {
  const src = fileURLToPath(new URL('./src/', import.meta.url))
  const h5 = `${src}h5/`
  const SUFFIX = '?h5'
  return {
    name: 'courtyard-h5-own-modules',
    apply: 'build',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || source.startsWith('\0')) return null
      const from = importer.replace(/\\/g, '/')
      if (!from.startsWith(h5) && !from.endsWith(SUFFIX)) return null
      const resolved = await this.resolve(source, importer.replace(/\?h5$/, ''), { ...options, skipSelf: true })
      if (!resolved || resolved.external) return resolved
      const id = resolved.id.replace(/\\/g, '/')
      // Only plain TS modules of the console's side of src/; Vue files and the owner app's own stay as they are.
      if (!id.startsWith(src) || id.startsWith(h5) || !/\.ts$/.test(id)) return resolved
      return { ...resolved, id: `${id}${SUFFIX}` }
    },
    load(id) {
      if (!id.endsWith(SUFFIX)) return null
      return readFileSync(id.slice(0, -SUFFIX.length), 'utf8')
    },
  }
}

/**
 * The two pages stay apart: the build fails if a chunk the console can load holds Vant or one the owner app can
 * load holds Element Plus. Then dist/h5/shell.json lists every file the owner app can load (its entry chunk, the
 * chunks it imports now or lazily, their CSS and assets), which the service worker (public/h5/sw.js) keeps for an
 * offline start.
 */

interface ChunkLike {
  type: 'chunk'
  fileName: string
  isEntry: boolean
  facadeModuleId: string | null
  moduleIds: string[]
  imports: string[]
  dynamicImports: string[]
  viteMetadata?: { importedCss: Set<string>; importedAssets: Set<string> }
}

function h5Shell(): Plugin {
  return {
    name: 'courtyard-h5-shell',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, ChunkLike>()
      for (const item of Object.values(bundle)) if (item.type === 'chunk') chunks.set(item.fileName, item as unknown as ChunkLike)
      const entryOf = (page: string) =>
        [...chunks.values()].find((c) => c.isEntry && (c.facadeModuleId ?? '').replace(/\\/g, '/').endsWith(page))
      const reachable = (entry: ChunkLike): ChunkLike[] => {
        const seen = new Map<string, ChunkLike>()
        const walk = (name: string) => {
          const chunk = chunks.get(name)
          if (!chunk || seen.has(name)) return
          seen.set(name, chunk)
          for (const next of [...chunk.imports, ...chunk.dynamicImports]) walk(next)
        }
        walk(entry.fileName)
        return [...seen.values()]
      }
      const console = entryOf('/frontend/index.html')
      const h5 = entryOf('/h5/index.html')
      if (!h5) return
      const leaks = (entry: ChunkLike | undefined, library: RegExp) =>
        entry ? reachable(entry).flatMap((c) => c.moduleIds.filter((id) => library.test(id)).map((id) => `${c.fileName}: ${id}`)) : []
      const wrong = [...leaks(console, /node_modules\/vant\//), ...leaks(h5, /node_modules\/element-plus\//)]
      if (wrong.length) this.error(`console and owner app share a UI library:\n${wrong.slice(0, 10).join('\n')}`)
      const files = new Set<string>()
      for (const chunk of reachable(h5)) {
        files.add(chunk.fileName)
        for (const css of chunk.viteMetadata?.importedCss ?? []) files.add(css)
        for (const asset of chunk.viteMetadata?.importedAssets ?? []) files.add(asset)
      }
      const shell = { files: ['/h5/', ...[...files].sort().map((f) => `/${f}`)] }
      this.emitFile({ type: 'asset', fileName: 'h5/shell.json', source: `${JSON.stringify(shell, null, 1)}\n` })
    },
  }
}
