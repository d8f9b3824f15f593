import { ReportStatus } from "../gen/miasta/v1/report_pb.js";
import type { MessageId } from "../i18n";

/**
 * reportStatusKey labels a report's status. It is a module of its own so that the organiser's page
 * can use it without the expert's editor coming along: that one stays a chunk of its own.
 */
export const reportStatusKey: Record<ReportStatus, MessageId> = {
  [ReportStatus.UNSPECIFIED]: "reportStatus.NOT_STARTED",
  [ReportStatus.NOT_STARTED]: "reportStatus.NOT_STARTED",
  [ReportStatus.DRAFT]: "reportStatus.DRAFT",
  [ReportStatus.SUBMITTED]: "reportStatus.SUBMITTED",
  [ReportStatus.RETURNED]: "reportStatus.RETURNED",
  [ReportStatus.ACCEPTED]: "reportStatus.ACCEPTED",
};
