// The API clients: connect-es over the Connect protocol to this same origin. The browser's session
// cookie (set by the server's /auth/callback) authenticates every call; no token ever reaches script.
import type { DescMessage, DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import type { DescService } from "@bufbuild/protobuf";
import type { ArchiveService } from "../gen/miasta/v1/archive_pb.js";
import { AuditService } from "../gen/miasta/v1/audit_pb.js";
import { EditionService } from "../gen/miasta/v1/edition_pb.js";
import { IdentityService } from "../gen/miasta/v1/identity_pb.js";
import type { JuryService } from "../gen/miasta/v1/jury_pb.js";
import type { MailService } from "../gen/miasta/v1/mail_pb.js";
import type { ReportService } from "../gen/miasta/v1/report_pb.js";
import type { ResultsService } from "../gen/miasta/v1/results_pb.js";
import type { SearchService } from "../gen/miasta/v1/search_pb.js";
import type { TranslationService } from "../gen/miasta/v1/translation_pb.js";
import type { PastEditionService } from "../gen/miasta/v1/past_pb.js";
import type { PrivacyService } from "../gen/miasta/v1/privacy_pb.js";
import { allPages } from "./hooks";
import { preloaded, remember } from "./preload";

const transport = createConnectTransport({
  baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  fetch: (input, init) => globalThis.fetch(input, { ...init, credentials: "same-origin" }),
  interceptors: [preloaded],
});

/**
 * preload sends a call a page is about to make, before the page's code has arrived; the page's own
 * call with the same request then gets this one's answer (preload.ts).
 */
export function preload<I extends DescMessage, O extends DescMessage>(
  method: DescMethodUnary<I, O>,
  input: MessageInitShape<I>,
): Promise<MessageShape<O>> {
  return remember(method, input, (values) => transport.unary(method, undefined, undefined, undefined, input, values));
}

/**
 * lazyClient is a client whose service's code (its generated descriptors, which take a good part of
 * a slow phone's start-up to build) loads with its first call: only pages that use the service need
 * it, and they import it themselves, so it is there by then. Every method of the services made lazy
 * is unary: a call returns a promise either way.
 */
function lazyClient<S extends DescService>(load: () => Promise<S>): Client<S> {
  let client: Promise<Client<S>> | undefined;
  return new Proxy({} as Client<S>, {
    get(_, name) {
      if (typeof name !== "string" || name === "then") return undefined; // not a promise itself
      return (...args: unknown[]) => {
        client ??= load().then((service) => createClient(service, transport));
        return client.then((c) => (c[name as keyof Client<S>] as (...a: unknown[]) => unknown)(...args));
      };
    },
  });
}

export const api: {
  editions: Client<typeof EditionService>;
  identity: Client<typeof IdentityService>;
  reports: Client<typeof ReportService>;
  jury: Client<typeof JuryService>;
  mail: Client<typeof MailService>;
  results: Client<typeof ResultsService>;
  audit: Client<typeof AuditService>;
  translations: Client<typeof TranslationService>;
  search: Client<typeof SearchService>;
  past: Client<typeof PastEditionService>;
  archive: Client<typeof ArchiveService>;
  privacy: Client<typeof PrivacyService>;
} = {
  // Every page needs these, or they are small.
  editions: createClient(EditionService, transport),
  identity: createClient(IdentityService, transport),
  audit: createClient(AuditService, transport),
  reports: lazyClient(() => import("../gen/miasta/v1/report_pb.js").then((m) => m.ReportService)),
  jury: lazyClient(() => import("../gen/miasta/v1/jury_pb.js").then((m) => m.JuryService)),
  mail: lazyClient(() => import("../gen/miasta/v1/mail_pb.js").then((m) => m.MailService)),
  results: lazyClient(() => import("../gen/miasta/v1/results_pb.js").then((m) => m.ResultsService)),
  translations: lazyClient(() => import("../gen/miasta/v1/translation_pb.js").then((m) => m.TranslationService)),
  search: lazyClient(() => import("../gen/miasta/v1/search_pb.js").then((m) => m.SearchService)),
  past: lazyClient(() => import("../gen/miasta/v1/past_pb.js").then((m) => m.PastEditionService)),
  archive: lazyClient(() => import("../gen/miasta/v1/archive_pb.js").then((m) => m.ArchiveService)),
  privacy: lazyClient(() => import("../gen/miasta/v1/privacy_pb.js").then((m) => m.PrivacyService)),
};

/** errorCode is the Connect code of any thrown value (Unknown for non-Connect errors). */
export function errorCode(err: unknown): Code {
  return ConnectError.from(err).code;
}

/** A field the server refused, from the google.rpc.BadRequest detail it attaches to every such error. */
export interface FieldViolation {
  field: string; // the request field's path, e.g. "practices[0].title"
  description: string;
}

/**
 * detailRecords reads the repeated message field 1 of the google.rpc details of one type (BadRequest's
 * field_violations, PreconditionFailure's violations), each as its string fields by number, with
 * protobuf's binary reader: the generated clients know only this API's messages, and these few
 * details are all the pages need of google.rpc.
 */
function detailRecords(err: unknown, type: string): Map<number, string>[] {
  const out: Map<number, string>[] = [];
  for (const d of ConnectError.from(err).details) {
    // Details that came over the wire are {type, value: the message's bytes}.
    if (!("type" in d) || d.type !== type || !(d.value instanceof Uint8Array)) continue;
    try {
      const r = new BinaryReader(d.value);
      while (r.pos < r.len) {
        const [no, wt] = r.tag();
        if (no !== 1 || wt !== WireType.LengthDelimited) {
          r.skip(wt);
          continue;
        }
        const v = new BinaryReader(r.bytes());
        const rec = new Map<number, string>();
        while (v.pos < v.len) {
          const [n, w] = v.tag();
          if (w === WireType.LengthDelimited) rec.set(n, v.string());
          else v.skip(w);
        }
        out.push(rec);
      }
    } catch {
      // a malformed detail says nothing
    }
  }
  return out;
}

/** fieldViolations are the fields of the google.rpc.BadRequest details the server attaches to every such error. */
export function fieldViolations(err: unknown): FieldViolation[] {
  return detailRecords(err, "google.rpc.BadRequest").map((r) => ({ field: r.get(1) ?? "", description: r.get(2) ?? "" }));
}

/** A state the request needed and did not find, from a google.rpc.PreconditionFailure detail. */
export interface PreconditionViolation {
  type: string; // e.g. "TEXT_MISSING"
  subject: string; // e.g. "<category id>/name/uk"
  description: string;
}

export function preconditionViolations(err: unknown): PreconditionViolation[] {
  return detailRecords(err, "google.rpc.PreconditionFailure").map((r) => ({ type: r.get(1) ?? "", subject: r.get(2) ?? "", description: r.get(3) ?? "" }));
}

/** The identity and arguments of one of the platform's own messages (google.rpc.ErrorInfo). */
export interface MessageInfo {
  reason: string; // "m" and a hash of the English message (server.<lang>.json), or "VALIDATION"
  metadata: Record<string, string>; // the message's arguments a0, a1, …; for VALIDATION field → rule id
}

/** errorInfo reads the google.rpc.ErrorInfo detail (reason = 1, domain = 2, metadata = 3 as map entries). */
export function errorInfo(err: unknown): MessageInfo | undefined {
  for (const d of ConnectError.from(err).details) {
    if (!("type" in d) || d.type !== "google.rpc.ErrorInfo" || !(d.value instanceof Uint8Array)) continue;
    try {
      const r = new BinaryReader(d.value);
      const info: MessageInfo = { reason: "", metadata: {} };
      while (r.pos < r.len) {
        const [no, wt] = r.tag();
        if (no === 1 && wt === WireType.LengthDelimited) info.reason = r.string();
        else if (no === 3 && wt === WireType.LengthDelimited) {
          const e = new BinaryReader(r.bytes());
          let key = "";
          let value = "";
          while (e.pos < e.len) {
            const [n, w] = e.tag();
            if (n === 1 && w === WireType.LengthDelimited) key = e.string();
            else if (n === 2 && w === WireType.LengthDelimited) value = e.string();
            else e.skip(w);
          }
          info.metadata[key] = value;
        } else r.skip(wt);
      }
      return info;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** fieldOf is the request field the server blamed, when it named one. */
export function fieldOf(err: unknown): string | undefined {
  return fieldViolations(err).find((v) => v.field !== "")?.field;
}

export { Code, ConnectError };

// The largest pages the API allows of categories and criteria.
const CATEGORIES_PAGE = 50;
const CRITERIA_PAGE = 20;

/** listCategories reads all of an edition's categories, page by page at the largest page the API allows. */
export async function listCategories(editionId: string) {
  return allPages(async (pageToken) => {
    const r = await api.editions.listCategories({ editionId, pageSize: CATEGORIES_PAGE, pageToken });
    return { items: r.categories, next: r.nextPageToken };
  });
}

/** preloadCategories sends listCategories' first call. */
export function preloadCategories(editionId: string) {
  void preload(EditionService.method.listCategories, { editionId, pageSize: CATEGORIES_PAGE });
}

/** listCriteria reads all of an edition's criteria. */
export async function listCriteria(editionId: string) {
  return allPages(async (pageToken) => {
    const r = await api.editions.listCriteria({ editionId, pageSize: CRITERIA_PAGE, pageToken });
    return { items: r.criteria, next: r.nextPageToken };
  });
}

/** preloadCriteria sends listCriteria's first call. */
export function preloadCriteria(editionId: string) {
  void preload(EditionService.method.listCriteria, { editionId, pageSize: CRITERIA_PAGE });
}

/** conflictDetail is the current copy an Aborted save carries in its detail of the given type, if any. */
export function conflictDetail<Desc extends DescMessage>(err: unknown, schema: Desc): MessageShape<Desc> | undefined {
  return ConnectError.from(err).findDetails(schema)[0];
}
