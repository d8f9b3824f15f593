// What the app asks the server for before it first renders: who is signed in, and the data of the
// page it opens on, so that those calls go out as soon as the app's script runs, beside the page's
// code (which the HTML already names) rather than after it.
import { fromJson } from "@bufbuild/protobuf";
import { matchPath } from "react-router";
import { GetMeResponseSchema, IdentityService } from "./gen/miasta/v1/identity_pb.js";
import { preload } from "./shared/api";
import { boot } from "./shared/boot";
import { answered, remember, unauthenticated } from "./shared/preload";
import { preloadBallot } from "./ballot/preload";
import { preloadHome } from "./home/preload";
import { preloadResults } from "./results/preload";

/** start answers GetMe from the HTML (or sends it) and preloads the data of the page at path. */
export function start(path: string) {
  const b = boot();
  let signedIn = true; // unknown counts as signed in: the page's own calls would say otherwise
  if (b && "me" in b) {
    const me = b.me;
    signedIn = me !== null && me !== undefined;
    remember(IdentityService.method.getMe, {}, () =>
      me ? answered(IdentityService.method.getMe, fromJson(GetMeResponseSchema, me)) : unauthenticated(),
    );
  } else {
    void preload(IdentityService.method.getMe, {});
  }
  let m;
  if (matchPath("/", path)) {
    preloadHome();
  } else if ((m = matchPath("/results/:year", path))) {
    const year = Number.parseInt(m.params.year ?? "", 10);
    // The page starts in the language the server started it in (<html lang>, with boot data).
    if (Number.isFinite(year)) void preloadResults(year, b ? document.documentElement.lang : undefined);
  } else if (signedIn && (m = matchPath("/editions/:editionId/ballot", path))) {
    // The page starts in the language the server started it in (<html lang>, with boot data).
    void preloadBallot(m.params.editionId ?? "", b ? document.documentElement.lang : undefined);
  }
}
