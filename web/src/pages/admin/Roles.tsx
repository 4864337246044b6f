import { useState } from "react";
import { Alert, Badge, Button, Group, Modal, Paper, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, call, type Schemas } from "../../api/client";
import { can, useMe } from "../../auth/session";
import { errorText } from "../../components/errors";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/States";
import { notifyOutcome } from "./common";

type Role = Schemas["RoleOut"];
export const SECTIONS = ["admin", "audit", "monitoring", "accounts", "payments", "analytics", "products", "risk", "partners", "documents", "support"] as const;

export default function Roles() {
  const { t } = useTranslation();
  const me = useMe();
  const roles = useQuery({ queryKey: ["admin", "roles"], queryFn: () => call(api.GET("/api/v1/admin/roles")) });
  const [editing, setEditing] = useState<Role | null>(null);
  return (
    <Stack>
      <PageHeader title={t("roles.title")} subtitle={t("roles.subtitle")} />
      <QueryState q={roles}>
        {(list) => (
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {list.map((r) => (
              <Paper key={r.id} withBorder p="md">
                <Group justify="space-between" mb={4}>
                  <Title order={2} size="h5">{r.name}</Title>
                  <Badge variant="light" color="gray">{t(`kinds.${r.user_kind}`)}</Badge>
                </Group>
                <Text size="sm" c="dimmed" mb="xs">{r.description}</Text>
                <Group gap={4} mb="sm">
                  {Object.entries(r.grants as Record<string, string>).map(([s, l]) => (
                    <Badge key={s} size="sm" variant="outline">{t(`sections.${s}`)}: {t(`levels.${l}`)}</Badge>
                  ))}
                </Group>
                {can(me, "admin", "write") && <Button size="xs" variant="light" onClick={() => setEditing(r)}>{t("roles.editGrants")}</Button>}
              </Paper>
            ))}
          </SimpleGrid>
        )}
      </QueryState>
      {editing && <GrantsModal role={editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function GrantsModal({ role, onClose }: { role: Role; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [grants, setGrants] = useState<Record<string, string>>({ ...(role.grants as Record<string, string>) });
  const save = useMutation({
    mutationFn: () =>
      call(api.PUT("/api/v1/admin/roles/{role_id}/grants", { params: { path: { role_id: role.id } }, body: { grants: Object.fromEntries(Object.entries(grants).filter(([, l]) => l !== "none")) as Record<string, "read" | "write" | "approve"> } })),
    onSuccess: (out) => {
      notifyOutcome(out, t, t("common.saved"));
      void qc.invalidateQueries({ queryKey: ["admin"] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("roles.grantsOf", { name: role.name })} size="lg">
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        {SECTIONS.map((s) => (
          <Select key={s} label={t(`sections.${s}`)} value={grants[s] ?? "none"} onChange={(v) => setGrants({ ...grants, [s]: v ?? "none" })}
            data={["none", "read", "write", "approve"].map((l) => ({ value: l, label: t(`levels.${l}`) }))} allowDeselect={false} />
        ))}
      </SimpleGrid>
      {save.error && <Alert color="red" mt="sm" role="alert">{errorText(save.error, t)}</Alert>}
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onClose}>{t("common.cancel")}</Button>
        <Button onClick={() => save.mutate()} loading={save.isPending}>{t("common.save")}</Button>
      </Group>
    </Modal>
  );
}
