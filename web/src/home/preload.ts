import { EditionService } from "../gen/miasta/v1/edition_pb.js";
import { preload } from "../shared/api";

/** preloadHome sends the call Home makes when it opens: the first page of editions. */
export function preloadHome() {
  void preload(EditionService.method.listEditions, { pageSize: 50 });
}
