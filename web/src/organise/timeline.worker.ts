// The audit timeline's check of one entry, in a Web Worker: the worker is bundled on its own, so the
// verifier's code it uses is not shared with (and split out of) the pages' chunks.
import { checkInclusion, type InclusionInputs } from "./timelineCheck";

self.onmessage = async (e: MessageEvent<InclusionInputs>) => {
  self.postMessage(await checkInclusion(e.data));
};
