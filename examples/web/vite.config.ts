/**
 * `npm run example:build` builds the page into examples/web/dist. The dev
 * server and `vite preview` proxy /graphql (HTTP and WebSocket) to the
 * gateway at FACEGATE_URL, so the page and the API share one origin.
 */
import { defineConfig } from 'vite';

const target = new URL(process.env.FACEGATE_URL ?? 'http://127.0.0.1:4000/graphql').origin;
const proxy = { '/graphql': { target, ws: true } };

export default defineConfig({
  root: import.meta.dirname,
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy },
  preview: { proxy },
});
