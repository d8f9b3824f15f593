// What the server writes into the page's HTML for the request (web/web.go), so that the first screen
// need not ask: GetMe's answer as JSON (null: nobody is signed in). Absent (e.g. under `npm run dev`),
// the app asks for itself. The server also starts the page in a language (<html lang>), which the app
// takes when the boot data is there (i18n/index.tsx).
import type { JsonValue } from "@bufbuild/protobuf";

export interface Boot {
  me?: JsonValue | null;
}

let cached: Boot | null | undefined;

/** boot reads the HTML's boot data once; undefined when the page has none. */
export function boot(doc: Document | undefined = typeof document === "undefined" ? undefined : document): Boot | undefined {
  if (cached === undefined) {
    cached = null;
    const text = doc?.getElementById("miasta-boot")?.textContent;
    if (text) {
      try {
        cached = JSON.parse(text) as Boot;
      } catch {
        // A boot the app cannot read is no boot: it asks the server itself.
      }
    }
  }
  return cached ?? undefined;
}

/** forgetBoot makes the next boot() read the document again, for tests. */
export function forgetBoot(): void {
  cached = undefined;
}
