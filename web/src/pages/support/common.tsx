import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../api/client";

export type Thread = Schemas["ThreadOut"];
export type ThreadDetail = Schemas["ThreadDetailOut"];

const COLOR: Record<Thread["status"], string> = { open: "blue", answered: "teal", closed: "gray" };

export function StatusBadge({ status }: { status: Thread["status"] }) {
  const { t } = useTranslation();
  return <Badge color={COLOR[status]} variant="light">{t(`feedback.status.${status}`)}</Badge>;
}
