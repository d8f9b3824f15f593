import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The build goes to dist/, which the Go binary embeds (web.go). `npm run dev` proxies the API to a
// running `miasta dev` so the app can be worked on with hot reload.
export default defineConfig({
  plugins: [react()],
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
