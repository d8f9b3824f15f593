import { FollowUpOutcome } from "../gen/miasta/v1/report_pb.js";
import type { MessageId } from "../i18n";

/** outcomeKeys are the follow-up outcomes in the order the editor offers them, with their labels. */
export const outcomeKeys: [FollowUpOutcome, MessageId][] = [
  [FollowUpOutcome.UNSPECIFIED, "followUp.UNSPECIFIED"],
  [FollowUpOutcome.CONTINUED, "followUp.CONTINUED"],
  [FollowUpOutcome.EXPANDED, "followUp.EXPANDED"],
  [FollowUpOutcome.SHRANK, "followUp.SHRANK"],
  [FollowUpOutcome.ENDED, "followUp.ENDED"],
];

export function outcomeKey(o: FollowUpOutcome): MessageId {
  return outcomeKeys.find(([x]) => x === o)?.[1] ?? "followUp.UNSPECIFIED";
}
