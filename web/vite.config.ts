import react from "@vitejs/plugin-react";
import { compression, defineAlgorithm } from "vite-plugin-compression2";
import { defineConfig } from "vitest/config";

// The build goes to dist/, which the Go binary embeds (web.go), with a brotli (.br) and a gzip (.gz)
// copy of every text file beside it, compressed once here at the highest levels, which web.go serves
// to browsers that accept them. `npm run dev` proxies the API to a
// running `miasta dev` so the app can be worked on with hot reload.
export default defineConfig({
  plugins: [
    react(),
    compression({
      include: /\.(js|css|html|json|svg)$/,
      threshold: 1024,
      skipIfLargerOrEqual: true,
      algorithms: [defineAlgorithm("brotliCompress", { params: { 1: 11 } }), defineAlgorithm("gzip", { level: 9 })],
    }),
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      "/miasta.v1.": "http://127.0.0.1:8080",
      "/auth/": "http://127.0.0.1:8080",
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
