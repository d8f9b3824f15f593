import { AuditService } from "../gen/miasta/v1/audit_pb.js";
import { preload, preloadCriteria } from "../shared/api";

/**
 * preloadResults sends the calls ResultsPage makes when it opens: the results and the log's key at
 * once, and the edition's criteria as soon as the results name the edition.
 */
export async function preloadResults(year: number) {
  void preload(AuditService.method.getPublicKey, {});
  // The results' code comes with the page's (the server preloads it with the HTML).
  const { ResultsService } = await import("../gen/miasta/v1/results_pb.js");
  void preload(ResultsService.method.getPublicResults, { year }).then(
    (r) => r.edition && preloadCriteria(r.edition.id),
    () => {},
  );
}
