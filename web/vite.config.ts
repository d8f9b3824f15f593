import react from "@vitejs/plugin-react";
import { compression, defineAlgorithm } from "vite-plugin-compression2";
import { defineConfig } from "vitest/config";

// The build goes to dist/, which the Go binary embeds (web.go), with a brotli (.br) and a gzip (.gz)
// copy of every text file beside it, compressed once here at the highest levels, which web.go serves
// to browsers that accept them. `npm run dev` proxies the API to a
// running `miasta dev` so the app can be worked on with hot reload.
export default defineConfig(({ mode }) => ({
  resolve: {
    // The tests resolve packages as Node does, where react-router's "node" export is its CommonJS
    // build, which would require React itself; "module" picks its ES build, which the aliases apply to.
    conditions: mode === "test" ? ["module", "node", "development|production"] : undefined,
    alias: [
      // Preact's React compatibility layer instead of React: the app is written against React's API,
      // and react-router and react-intl run on it unchanged, but it is a tenth of react-dom's size and
      // starts faster, which is most of the first screen's time on a slow phone's processor.
      { find: /^react$/, replacement: "preact/compat" },
      { find: /^react-dom$/, replacement: "preact/compat" },
      { find: /^react-dom\/client$/, replacement: "preact/compat/client" },
      { find: /^react-dom\/test-utils$/, replacement: "preact/test-utils" },
      { find: /^react\/jsx-runtime$/, replacement: "preact/jsx-runtime" },
      { find: /^react\/jsx-dev-runtime$/, replacement: "preact/jsx-runtime" },
      // The results page runs the independent verifier (../verifier/src, which the web app imports as
      // source): its one dependency comes from the web app's own packages.
      { find: /^@noble\/hashes\/(.*)$/, replacement: new URL("./node_modules/@noble/hashes/", import.meta.url).pathname + "$1" },
      // The generated code imports validate.proto's descriptor for its name only: see the stub.
      {
        find: /^@bufbuild\/protovalidate\/gen\/buf\/validate\/validate_pb\.js$/,
        replacement: new URL("./src/shared/validate_pb.ts", import.meta.url).pathname,
      },
    ],
  },
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
    // .vite/manifest.json maps each source module to its chunk and the chunks it imports: web.go reads
    // it to preload a page's chunk and language with the HTML, and its tests to weigh the first load.
    manifest: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              // What the pages share beyond the app's script, in one chunk rather than one each: the
              // small shared modules (archive/ShareLinks among them, for the archive's pages), the
              // organiser's set-up (also the home page's new-edition form)
              // and the API code the home page does not need (shared/api.ts loads it lazily). A
              // page's first download (the app's script, protobuf-es, the stylesheet, the catalogue,
              // the page's chunk and this one) is then at most six files, which a browser fetches at
              // once on the six connections HTTP/1.1 gives it (web_test.go checks).
              name: "pages-shared",
              test: (id: string) =>
                /[\\/]src[\\/](report[\\/](ReportView|Attachments|outcomes|status)|results[\\/]explain|archive[\\/](common|ShareLinks)|translation[\\/]TranslatedPractice|shared[\\/](uuid|localized)|organise[\\/]Setup)\.tsx?$/.test(id) ||
                /[\\/]src[\\/]gen[\\/]miasta[\\/]v1[\\/](jury|report|results|mail|archive|past)_pb\.ts$/.test(id),
              includeDependenciesRecursively: false,
            },
            {
              // protobuf-es and the edition's messages, which the app's script and the pages' API code
              // both need: a chunk of their own that the app's script imports (and the HTML preloads),
              // rather than wherever the automatic splitting puts them.
              name: "protobuf",
              test: /[\\/]node_modules[\\/]@bufbuild[\\/]protobuf[\\/]|[\\/]src[\\/]shared[\\/]validate_pb\.ts$|[\\/]src[\\/]gen[\\/]miasta[\\/]v1[\\/]edition_pb\.ts$/,
              includeDependenciesRecursively: false,
            },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      "/miasta.v1.": "http://127.0.0.1:8080",
      "/auth/": "http://127.0.0.1:8080",
    },
  },
  test: {
    // The libraries that render go through the aliases above too, so the tests run on Preact as the
    // app does (vitest would otherwise load them, and React with them, straight from node_modules).
    server: { deps: { inline: ["react-router", "react-intl"] } },
    setupFiles: ["src/runtime.ts"],
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
}));
