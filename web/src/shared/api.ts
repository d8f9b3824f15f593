// The API clients: connect-es over the Connect protocol to this same origin. The browser's session
// cookie (set by the server's /auth/callback) authenticates every call; no token ever reaches script.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AuditService } from "../gen/miasta/v1/audit_pb.js";
import { EditionService } from "../gen/miasta/v1/edition_pb.js";
import { IdentityService } from "../gen/miasta/v1/identity_pb.js";
import { JuryService } from "../gen/miasta/v1/jury_pb.js";
import { MailService } from "../gen/miasta/v1/mail_pb.js";
import { ReportService } from "../gen/miasta/v1/report_pb.js";
import { ResultsService } from "../gen/miasta/v1/results_pb.js";
import { TranslationService } from "../gen/miasta/v1/translation_pb.js";
import { allPages } from "./hooks";

const transport = createConnectTransport({
  baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  fetch: (input, init) => globalThis.fetch(input, { ...init, credentials: "same-origin" }),
});

export const api: {
  editions: Client<typeof EditionService>;
  identity: Client<typeof IdentityService>;
  reports: Client<typeof ReportService>;
  jury: Client<typeof JuryService>;
  mail: Client<typeof MailService>;
  results: Client<typeof ResultsService>;
  audit: Client<typeof AuditService>;
  translations: Client<typeof TranslationService>;
} = {
  editions: createClient(EditionService, transport),
  identity: createClient(IdentityService, transport),
  reports: createClient(ReportService, transport),
  jury: createClient(JuryService, transport),
  mail: createClient(MailService, transport),
  results: createClient(ResultsService, transport),
  audit: createClient(AuditService, transport),
  translations: createClient(TranslationService, transport),
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
 * fieldViolations reads the google.rpc.BadRequest details of an error (field_violations = 1, each
 * {field = 1, description = 2}) with protobuf's binary reader: the generated clients know only this
 * API's messages, and this one detail is all the page needs of google.rpc.
 */
export function fieldViolations(err: unknown): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const d of ConnectError.from(err).details) {
    // Details that came over the wire are {type, value: the message's bytes}.
    if (!("type" in d) || d.type !== "google.rpc.BadRequest" || !(d.value instanceof Uint8Array)) continue;
    try {
      const r = new BinaryReader(d.value);
      while (r.pos < r.len) {
        const [no, wt] = r.tag();
        if (no !== 1 || wt !== WireType.LengthDelimited) {
          r.skip(wt);
          continue;
        }
        const v = new BinaryReader(r.bytes());
        const fv: FieldViolation = { field: "", description: "" };
        while (v.pos < v.len) {
          const [n, w] = v.tag();
          if (n === 1 && w === WireType.LengthDelimited) fv.field = v.string();
          else if (n === 2 && w === WireType.LengthDelimited) fv.description = v.string();
          else v.skip(w);
        }
        out.push(fv);
      }
    } catch {
      // a malformed detail names no field
    }
  }
  return out;
}

/** fieldOf is the request field the server blamed, when it named one. */
export function fieldOf(err: unknown): string | undefined {
  return fieldViolations(err).find((v) => v.field !== "")?.field;
}

export { Code, ConnectError };

/** listCategories reads all of an edition's categories, page by page at the largest page the API allows. */
export async function listCategories(editionId: string) {
  return allPages(async (pageToken) => {
    const r = await api.editions.listCategories({ editionId, pageSize: 50, pageToken });
    return { items: r.categories, next: r.nextPageToken };
  });
}

/** listCriteria reads all of an edition's criteria. */
export async function listCriteria(editionId: string) {
  return allPages(async (pageToken) => {
    const r = await api.editions.listCriteria({ editionId, pageSize: 20, pageToken });
    return { items: r.criteria, next: r.nextPageToken };
  });
}

/** conflictDetail is the current copy an Aborted save carries in its detail of the given type, if any. */
export function conflictDetail<Desc extends DescMessage>(err: unknown, schema: Desc): MessageShape<Desc> | undefined {
  return ConnectError.from(err).findDetails(schema)[0];
}
