import { useState } from "react";
import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Paper, Select, SimpleGrid, Stack, Table, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { IconPlus } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { can, useMe } from "../../auth/session";
import { errorText } from "../../components/errors";
import { PageHeader } from "../../components/PageHeader";
import { Empty, QueryState } from "../../components/States";
import { formatDateTime } from "../../lib/dates";
import { SECTIONS } from "./Roles";

export default function ApiKeys() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ["admin", "keys"], queryFn: () => call(api.GET("/api/v1/admin/api-keys")) });
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<Schemas["ApiKeyCreatedOut"] | null>(null);
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/admin/api-keys", { body: { name, scopes: Object.fromEntries(Object.entries(scopes).filter(([, l]) => l !== "none")) as Record<string, "read" | "write"> } })),
    onSuccess: (k) => {
      setCreated(k);
      setOpen(false);
      setName("");
      setScopes({});
      void qc.invalidateQueries({ queryKey: ["admin", "keys"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => call(api.DELETE("/api/v1/admin/api-keys/{key_id}", { params: { path: { key_id: id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["admin", "keys"] }),
  });
  const mine = Object.entries(me.permissions as Record<string, string>).map(([s]) => s);
  const fe = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  return (
    <Stack>
      <PageHeader title={t("keys.title")} subtitle={t("keys.subtitle")} actions={can(me, "admin", "write") && <Button leftSection={<IconPlus size={16} />} onClick={() => setOpen(true)}>{t("keys.new")}</Button>} />
      {created && (
        <Alert color="teal" title={t("keys.createdTitle")} withCloseButton onClose={() => setCreated(null)}>
          {t("keys.createdText")}
          <Group mt="xs" wrap="nowrap">
            <Code style={{ wordBreak: "break-all" }}>{created.key}</Code>
            <CopyButton value={created.key}>{({ copied, copy }) => <Button size="xs" onClick={copy}>{copied ? t("common.copied") : t("common.copy")}</Button>}</CopyButton>
          </Group>
        </Alert>
      )}
      {revoke.error && <Alert color="red" role="alert">{errorText(revoke.error, t)}</Alert>}
      <QueryState q={keys}>
        {(list) =>
          list.length === 0 ? <Empty title={t("keys.empty")}>{t("keys.emptyHint")}</Empty> : (
            <Paper withBorder className="table-scroll">
              <Table miw={640}>
                <Table.Thead><Table.Tr><Table.Th>{t("keys.name")}</Table.Th><Table.Th>{t("keys.prefix")}</Table.Th><Table.Th>{t("keys.scopes")}</Table.Th><Table.Th>{t("keys.lastUsed")}</Table.Th><Table.Th /></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {list.map((k) => (
                    <Table.Tr key={k.id}>
                      <Table.Td fw={500}>{k.name}</Table.Td>
                      <Table.Td><Code>{k.prefix}…</Code></Table.Td>
                      <Table.Td><Group gap={4}>{Object.entries(k.scopes as Record<string, string>).map(([s, l]) => <Badge key={s} size="sm" variant="outline">{t(`sections.${s}`)}: {t(`levels.${l}`)}</Badge>)}</Group></Table.Td>
                      <Table.Td>{formatDateTime(k.last_used_at, i18n.language)}</Table.Td>
                      <Table.Td>{k.revoked_at ? <Badge color="gray">{t("keys.revoked")}</Badge> : <Button size="xs" color="red" variant="subtle" onClick={() => revoke.mutate(k.id)}>{t("keys.revoke")}</Button>}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
          )
        }
      </QueryState>
      <Modal opened={open} onClose={() => setOpen(false)} title={t("keys.new")} size="lg">
        <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Stack>
            <TextInput label={t("keys.name")} required value={name} onChange={(e) => setName(e.currentTarget.value)} error={fe.name} />
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              {SECTIONS.filter((s) => mine.includes(s)).map((s) => (
                <Select key={s} label={t(`sections.${s}`)} value={scopes[s] ?? "none"} onChange={(v) => setScopes({ ...scopes, [s]: v ?? "none" })} data={["none", "read", "write"].map((l) => ({ value: l, label: t(`levels.${l}`) }))} allowDeselect={false} />
              ))}
            </SimpleGrid>
            {create.error && <Alert color="red" role="alert">{errorText(create.error, t)}</Alert>}
            <Group justify="flex-end"><Button type="submit" loading={create.isPending}>{t("common.create")}</Button></Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
