// The results page's verifier, in a Web Worker so that the page stays responsive: it downloads the
// edition's audit bundle (the public file anyone may download; nothing is sent back) and runs the
// independent TypeScript verifier, written from spec/audit.md alone, on it, reporting each check as it
// begins. The bundle stays in the worker for a receipt's check.
import { verify, type CheckId, type Result } from "../../../verifier/src/index.ts";

export interface VerifyRequest {
  url: string;
  key: string;
  /** Checkpoints the bundle's log must extend (K4): the one this browser verified last. */
  checkpoints: string[];
  /** Whether to check the witnesses the site names (GetCheckpoint), at least one of which cosigned. */
  witnesses: boolean;
  receipt?: string;
}

export type VerifyReply =
  | { kind: "download"; loaded: number; total: number }
  | { kind: "check"; check: CheckId }
  | { kind: "done"; result: Result; checkpoint: string }
  | { kind: "error"; message: string };

let cached: { url: string; bytes: Uint8Array } | undefined;

/** namedWitnesses asks the site which witnesses it sends its checkpoints to, and keeps those that
 * have cosigned one: the verifier then checks their cosignatures of this bundle's checkpoint. */
async function namedWitnesses(): Promise<string[]> {
  const res = await fetch("/miasta.v1.AuditService/GetCheckpoint", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}", credentials: "omit" });
  if (!res.ok) return [];
  const body = (await res.json()) as { witnesses?: { verifierKey?: string; cosignedSize?: string }[] };
  return (body.witnesses ?? []).filter((w) => w.verifierKey && Number(w.cosignedSize ?? 0) > 0).map((w) => w.verifierKey!);
}

async function download(url: string, post: (r: VerifyReply) => void): Promise<Uint8Array> {
  if (cached?.url === url) return cached.bytes;
  const res = await fetch(url, { credentials: "omit", cache: "no-store" });
  if (!res.ok || !res.body) throw new Error(`the bundle download failed: HTTP ${res.status}`);
  const total = Number(res.headers.get("Content-Length") ?? 0);
  const parts: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.length;
    post({ kind: "download", loaded, total });
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  cached = { url, bytes };
  return bytes;
}

self.onmessage = async (e: MessageEvent<VerifyRequest>) => {
  const post = (r: VerifyReply) => self.postMessage(r);
  const req = e.data;
  try {
    const witnesses = req.witnesses ? await namedWitnesses().catch(() => []) : [];
    const bytes = await download(req.url, post);
    const result = await verify(bytes, {
      key: req.key,
      checkpoints: req.checkpoints,
      witnesses,
      witnessThreshold: witnesses.length ? 1 : undefined,
      receipt: req.receipt,
      onCheck: (check) => post({ kind: "check", check }),
    });
    let checkpoint = "";
    if (result.ok) checkpoint = String((JSON.parse(new TextDecoder().decode(bytes)) as { checkpoint?: string }).checkpoint ?? "");
    post({ kind: "done", result, checkpoint });
  } catch (err) {
    post({ kind: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
