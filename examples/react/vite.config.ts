/**
 * The React example (Vite + React + Apollo Client 4). `npm run example:dev`
 * serves it with hot reload, `npm run example:build` type-checks it and
 * builds it into examples/react/dist. The dev server and `vite preview`
 * proxy /graphql (HTTP and WebSocket) to the gateway at FACEGATE_URL, so the
 * page and the API share one origin (no CORS, and the gateway's Origin
 * policy sees its own host).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = new URL(process.env.FACEGATE_URL ?? 'http://127.0.0.1:4000/graphql').origin;
const proxy = { '/graphql': { target, ws: true } };

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy },
  preview: { proxy },
});
