import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { antdCss } from './antd-css';

/**
 * The web UI, served by the API at / from apps/web/dist. Vite's own JSX transform (oxc) is enough
 * for a production build; no React plugin is needed because nothing here relies on fast refresh.
 * `npx vite apps/web` (dev server) proxies /api to a running API on port 3000.
 *
 * Splitting: every page is a lazy chunk (src/app/routes.tsx); exceljs is loaded only by the
 * component that writes a workbook (the score gauge is plain SVG: no chart library at all); Ant Design's
 * Table, DatePicker and Form reach the dashboard only where they are shown or asked for (Annex2Grid,
 * AsOfDatePicker, NoticeChannelsModal; `node bin/first-load-js.mjs` prints what its first load weighs). React and i18next, needed by every
 * page, get a chunk each so they stay cached across deployments that change only our code;
 * Ant Design is left to automatic splitting, so the sign-in page does not load the Table.
 * On /dashboard, src/preload.ts asks for the page's chunk (and, through Vite's preload helper, every
 * chunk it imports) as the entry starts, not once the shell has rendered.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  // Ant Design's static stylesheet (zero-runtime: src/app/theme.ts), only the components the app renders.
  plugins: [antdCss(fileURLToPath(new URL('./src', import.meta.url)))],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    // exceljs (the Annex 2 export) is one large module, loaded only on export.
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      onLog(level, log, handler) {
        // antd and react-router mark their modules "use client" for React Server Components; meaningless in a browser bundle.
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
      output: {
        // Shared chunks that are mostly library code are named for what they are, not after whichever of our modules rode along.
        chunkFileNames: (chunk) =>
          !chunk.isDynamicEntry && !['react', 'i18n'].includes(chunk.name) && chunk.moduleIds.filter((id) => id.includes('/node_modules/')).length * 2 > chunk.moduleIds.length
            ? 'assets/vendor-[hash].js'
            : 'assets/[name]-[hash].js',
        codeSplitting: {
          groups: [
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|cookie|set-cookie-parser)[\\/]/, priority: 20 },
            { name: 'i18n', test: /[\\/]node_modules[\\/](i18next|react-i18next|html-parse-stringify|void-elements|use-sync-external-store)[\\/]/, priority: 20 },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
