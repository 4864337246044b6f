import { useState } from "react";
import { Alert, Badge, Button, Code, Group, Paper, SegmentedControl, Stack, Switch, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, call, type Schemas } from "../../api/client";
import { can, useMe } from "../../auth/session";
import { errorText } from "../../components/errors";
import { PageHeader } from "../../components/PageHeader";
import { Empty, QueryState } from "../../components/States";
import { formatDateTime } from "../../lib/dates";

type Status = Schemas["ApprovalOut"]["status"];
const color: Record<string, string> = { pending: "yellow", executed: "teal", rejected: "gray", failed: "red" };

export default function Approvals() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const [status, setStatus] = useState<Status | "all">("pending");
  const list = useQuery({
    queryKey: ["admin", "approvals", status],
    queryFn: () => call(api.GET("/api/v1/admin/approvals", { params: { query: { status: status === "all" ? undefined : status } } })),
    refetchInterval: 15_000,
  });
  const decide = useMutation({
    mutationFn: ({ id, ok }: { id: string; ok: boolean }) =>
      ok
        ? call(api.POST("/api/v1/admin/approvals/{request_id}/approve", { params: { path: { request_id: id } } }))
        : call(api.POST("/api/v1/admin/approvals/{request_id}/reject", { params: { path: { request_id: id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["admin"] }),
  });
  const canApprove = can(me, "admin", "approve");
  return (
    <Stack>
      <PageHeader title={t("approvals.title")} subtitle={t("approvals.subtitle")} />
      <SegmentedControl value={status} onChange={(v) => setStatus(v as Status)} data={(["pending", "executed", "rejected", "failed", "all"] as const).map((s) => ({ value: s, label: t(`approvals.status.${s}`) }))} style={{ alignSelf: "flex-start" }} />
      {decide.error && <Alert color="red" role="alert">{errorText(decide.error, t)}</Alert>}
      <QueryState q={list}>
        {(items) =>
          items.length === 0 ? <Empty title={t("approvals.empty")}>{t("approvals.emptyHint")}</Empty> : (
            <Stack>
              {items.map((a) => (
                <Paper key={a.id} withBorder p="md">
                  <Group justify="space-between" wrap="wrap">
                    <div>
                      <Text fw={600}>{a.summary}</Text>
                      <Text size="xs" c="dimmed">{a.action} · {t(`sections.${a.section}`)} · {formatDateTime(a.created_at, i18n.language)}</Text>
                    </div>
                    <Badge color={color[a.status]}>{t(`approvals.status.${a.status}`)}</Badge>
                  </Group>
                  <Code block mt="xs">{JSON.stringify(a.payload, null, 2)}</Code>
                  {a.error && <Text c="red" size="sm" mt={4}>{a.error}</Text>}
                  {a.status === "pending" && canApprove && (
                    <Group mt="sm" gap="xs">
                      <Button size="xs" disabled={a.maker_id === me.id} onClick={() => decide.mutate({ id: a.id, ok: true })} loading={decide.isPending}>{t("approvals.approve")}</Button>
                      <Button size="xs" color="red" variant="light" onClick={() => decide.mutate({ id: a.id, ok: false })} loading={decide.isPending}>{t("approvals.reject")}</Button>
                      {a.maker_id === me.id && <Text size="xs" c="dimmed">{t("approvals.ownRequest")}</Text>}
                    </Group>
                  )}
                </Paper>
              ))}
            </Stack>
          )
        }
      </QueryState>
      <Policies />
    </Stack>
  );
}

function Policies() {
  const { t } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ["admin", "policies"], queryFn: () => call(api.GET("/api/v1/admin/approval-policies")) });
  const set = useMutation({
    mutationFn: ({ action, enabled }: { action: string; enabled: boolean }) => call(api.PUT("/api/v1/admin/approval-policies/{action}", { params: { path: { action } }, body: { enabled } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["admin", "policies"] }),
  });
  return (
    <Paper withBorder p="md" mt="md">
      <Title order={2} size="h4" mb={4}>{t("approvals.policies")}</Title>
      <Text size="sm" c="dimmed" mb="sm">{t("approvals.policiesHint")}</Text>
      {set.error && <Alert color="red" mb="sm" role="alert">{errorText(set.error, t)}</Alert>}
      <QueryState q={list}>
        {(items) => (
          <Stack gap="xs">
            {items.map((p) => (
              <Switch key={p.action} label={p.action} checked={p.enabled} disabled={!can(me, "admin", "approve")} onChange={(e) => set.mutate({ action: p.action, enabled: e.currentTarget.checked })} />
            ))}
          </Stack>
        )}
      </QueryState>
    </Paper>
  );
}
