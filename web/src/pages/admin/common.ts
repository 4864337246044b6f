import { notifications } from "@mantine/notifications";
import type { TFunction } from "i18next";
import type { Schemas } from "../../api/client";

export type Pending = Schemas["ApprovalPendingOut"];

export function isPending(x: unknown): x is Pending {
  return !!x && typeof x === "object" && "approval" in x;
}

/** After a sensitive admin action: "done" or "sent for approval" (maker-checker). */
export function notifyOutcome(out: unknown, t: TFunction, done: string) {
  if (isPending(out)) {
    notifications.show({ color: "yellow", title: t("approvals.sentTitle"), message: t("approvals.sent", { summary: out.approval.summary }) });
  } else {
    notifications.show({ color: "teal", message: done });
  }
}
