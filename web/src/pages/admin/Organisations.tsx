import { useState } from "react";
import { Alert, Badge, Button, Group, Modal, Paper, SegmentedControl, Stack, Table, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { api, ApiError, call } from "../../api/client";
import { can, useMe } from "../../auth/session";
import { errorText } from "../../components/errors";
import { PageHeader } from "../../components/PageHeader";
import { Empty, QueryState } from "../../components/States";
import { formatDate } from "../../lib/dates";

export default function Organisations() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 300);
  const orgs = useQuery({ queryKey: ["admin", "orgs", q], queryFn: () => call(api.GET("/api/v1/admin/organisations", { params: { query: { search: q || undefined } } })) });
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ name: "", kind: "company" as "company" | "partner", reg: "" });
  const [fe, setFe] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/admin/organisations", { body: { name: form.name, kind: form.kind, registration_number: form.reg || null } })),
    onSuccess: () => {
      setOpen(false);
      setForm({ name: "", kind: "company", reg: "" });
      void qc.invalidateQueries({ queryKey: ["admin", "orgs"] });
    },
    onError: (e) => setFe(e instanceof ApiError ? e.fieldErrors() : {}),
  });
  return (
    <Stack>
      <PageHeader
        title={t("orgs.title")}
        subtitle={t("orgs.subtitle")}
        actions={can(me, "admin", "write") && <Button leftSection={<IconPlus size={16} />} onClick={() => setOpen(true)}>{t("orgs.new")}</Button>}
      />
      <TextInput placeholder={t("orgs.search")} aria-label={t("common.search")} leftSection={<IconSearch size={16} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} />
      <QueryState q={orgs}>
        {(list) =>
          list.length === 0 ? (
            <Empty title={t("orgs.empty")} />
          ) : (
            <Paper withBorder className="table-scroll">
              <Table miw={520}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("orgs.name")}</Table.Th>
                    <Table.Th>{t("orgs.kind")}</Table.Th>
                    <Table.Th>{t("orgs.registration")}</Table.Th>
                    <Table.Th>{t("orgs.since")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((o) => (
                    <Table.Tr key={o.id}>
                      <Table.Td fw={500}>{o.name}</Table.Td>
                      <Table.Td><Badge variant="light">{t(`orgKinds.${o.kind}`)}</Badge></Table.Td>
                      <Table.Td>{o.registration_number ?? "—"}</Table.Td>
                      <Table.Td>{formatDate(o.created_at, i18n.language)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
          )
        }
      </QueryState>
      <Modal opened={open} onClose={() => setOpen(false)} title={t("orgs.new")}>
        <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Stack>
            <SegmentedControl value={form.kind} onChange={(v) => setForm({ ...form, kind: v as "company" | "partner" })} data={[{ value: "company", label: t("orgKinds.company") }, { value: "partner", label: t("orgKinds.partner") }]} />
            <TextInput label={t("orgs.name")} required value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={fe.name} />
            <TextInput label={t("orgs.registration")} value={form.reg} onChange={(e) => setForm({ ...form, reg: e.currentTarget.value })} error={fe.registration_number} />
            {create.error && <Alert color="red" role="alert">{errorText(create.error, t)}</Alert>}
            <Group justify="flex-end"><Button type="submit" loading={create.isPending}>{t("common.create")}</Button></Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}
