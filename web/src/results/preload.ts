import { AuditService } from "../gen/miasta/v1/audit_pb.js";
import { preload } from "../shared/api";

/** preloadResults sends the calls ResultsPage makes when it opens, both at once: the results (which
 * carry the edition's criteria, and the practices' titles in lang, the page's language) and the
 * log's key. */
export async function preloadResults(year: number, lang = "pl") {
  void preload(AuditService.method.getPublicKey, {});
  // The results' code comes with the page's (the server preloads it with the HTML).
  const { ArchiveService } = await import("../gen/miasta/v1/archive_pb.js");
  void preload(ArchiveService.method.getPublicEditionResults, { year, language: lang }).catch(() => {});
}
