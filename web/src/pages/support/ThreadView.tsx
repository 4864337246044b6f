import { useState } from "react";
import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, Textarea, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { useTranslation } from "react-i18next";
import { api, call } from "../../api/client";
import { errorText } from "../../components/errors";
import { QueryState } from "../../components/States";
import { formatDateTime } from "../../lib/dates";
import { MAX_BODY } from "./NewThreadForm";
import { StatusBadge, type ThreadDetail } from "./common";

/** One thread with its messages and a reply box; staff also close and reopen it. */
export default function ThreadView({ staff, backTo }: { staff: boolean; backTo: string }) {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const qc = useQueryClient();
  const key = ["support", "thread", id];
  const q = useQuery({ queryKey: key, queryFn: () => call(api.GET("/api/v1/support/threads/{thread_id}", { params: { path: { thread_id: id } } })) });
  const [reply, setReply] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const update = (d: ThreadDetail) => {
    qc.setQueryData(key, d);
    void qc.invalidateQueries({ queryKey: ["support", "threads"] });
  };
  const run = async (fn: () => Promise<ThreadDetail>) => {
    setError(null);
    setBusy(true);
    try {
      update(await fn());
      return true;
    } catch (e) {
      setError(errorText(e, t));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const send = async (ev: React.FormEvent) => {
    ev.preventDefault();
    if (!reply.trim()) return setError(t("feedback.bodyRequired"));
    if (reply.length > MAX_BODY) return setError(t("feedback.bodyTooLong", { max: MAX_BODY }));
    const ok = await run(() => call(api.POST("/api/v1/support/threads/{thread_id}/messages", { params: { path: { thread_id: id } }, body: { body: reply.trim() } })));
    if (ok) setReply("");
  };
  const setStatus = (status: "open" | "closed") =>
    run(() => call(api.PATCH("/api/v1/support/threads/{thread_id}", { params: { path: { thread_id: id } }, body: { status } })));

  return (
    <Stack>
      <Anchor component={Link} to={backTo} size="sm">← {t("feedback.back")}</Anchor>
      <QueryState q={q}>
        {(d) => (
          <Stack>
            <Group justify="space-between" align="flex-start">
              <div>
                <Title order={1} size="h2">{d.subject}</Title>
                <Text size="sm" c="dimmed">
                  {staff ? `${d.customer_name} · ${d.customer_email} · ` : ""}{formatDateTime(d.created_at)}
                </Text>
              </div>
              <Group gap="xs">
                <StatusBadge status={d.status} />
                {staff && (d.status === "closed"
                  ? <Button size="xs" variant="light" onClick={() => void setStatus("open")} loading={busy}>{t("feedback.reopen")}</Button>
                  : <Button size="xs" variant="light" color="gray" onClick={() => void setStatus("closed")} loading={busy}>{t("feedback.close")}</Button>)}
              </Group>
            </Group>
            <Stack gap="sm" aria-label={t("feedback.messages")}>
              {d.messages.map((m) => (
                <Paper key={m.id} withBorder p="md" bg={m.author_kind === "staff" ? "var(--mantine-color-teal-light)" : undefined} data-testid="support-message">
                  <Group justify="space-between" mb={4}>
                    <Group gap="xs">
                      <Text fw={600} size="sm">{m.author_name}</Text>
                      <Badge size="xs" variant="outline" color={m.author_kind === "staff" ? "teal" : "gray"}>{t(`feedback.author.${m.author_kind}`)}</Badge>
                    </Group>
                    <Text size="xs" c="dimmed">{formatDateTime(m.created_at)}</Text>
                  </Group>
                  <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{m.body}</Text>
                </Paper>
              ))}
            </Stack>
            {error && <Alert color="red" role="alert">{error}</Alert>}
            {d.status === "closed" ? <Text c="dimmed" size="sm">{t("feedback.closedNote")}</Text> : (
              <form onSubmit={send} noValidate>
                <Stack gap="xs">
                  <Textarea label={staff ? t("feedback.answer") : t("feedback.reply")} value={reply} onChange={(e) => setReply(e.currentTarget.value)} rows={4} />
                  <Group justify="flex-end"><Button type="submit" loading={busy}>{staff ? t("feedback.sendAnswer") : t("feedback.sendReply")}</Button></Group>
                </Stack>
              </form>
            )}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

export function CustomerThread() {
  return <ThreadView staff={false} backTo="/feedback" />;
}

export function StaffThread() {
  return <ThreadView staff backTo="/support/inbox" />;
}
