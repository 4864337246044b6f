import { Fragment, useState } from "react";
import { ActionIcon, Alert, Badge, Button, Code, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput } from "@mantine/core";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { IconChevronDown, IconChevronRight, IconShieldCheck, IconShieldX } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { api, call, type Schemas } from "../api/client";
import { PageHeader } from "../components/PageHeader";
import { Empty, ErrorState, Loading } from "../components/States";
import { formatDateTime, startOfDayInZone } from "../lib/dates";

type Page = Schemas["AuditPageOut"];
const blank = { action: "", outcome: null as string | null, actor_id: "", target_id: "", since: "", until: "" };

export default function Audit() {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState(blank);
  const [filters, setFilters] = useState(blank);
  const [open, setOpen] = useState<number | null>(null);
  const verify = useQuery({ queryKey: ["audit", "verify"], queryFn: () => call(api.GET("/api/v1/audit/verify")), refetchInterval: 60_000 });
  const list = useInfiniteQuery({
    queryKey: ["audit", "records", filters],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/audit/records", {
          params: {
            query: {
              action: filters.action || undefined,
              outcome: (filters.outcome as "success" | "failure" | "denied" | null) || undefined,
              actor_id: filters.actor_id || undefined,
              target_id: filters.target_id || undefined,
              since: filters.since ? startOfDayInZone(filters.since) : undefined,
              until: filters.until ? startOfDayInZone(filters.until) : undefined,
              before_id: pageParam,
              limit: 50,
            },
          },
        }),
      ),
    getNextPageParam: (last: Page) => last.next_cursor ?? undefined,
  });
  const records = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack>
      <PageHeader title={t("audit.title")} subtitle={t("audit.subtitle")} />
      {verify.data && (
        <Alert
          color={verify.data.ok ? "teal" : "red"}
          icon={verify.data.ok ? <IconShieldCheck /> : <IconShieldX />}
          title={verify.data.ok ? t("audit.chainOk") : t("audit.chainBroken")}
          data-testid="audit-verify"
        >
          {t("audit.chainStats", { records: verify.data.records, chains: verify.data.chains })}
          {verify.data.problems.map((p, i) => (
            <Text key={i} size="sm">#{p.chain}/{p.seq ?? "?"}: {p.problem}</Text>
          ))}
        </Alert>
      )}
      {verify.error && <ErrorState error={verify.error} />}
      <Paper withBorder p="sm">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setFilters(draft);
          }}
        >
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
            <TextInput label={t("audit.action")} placeholder="user.create" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value })} />
            <Select label={t("audit.outcome")} clearable value={draft.outcome} onChange={(v) => setDraft({ ...draft, outcome: v })} data={["success", "denied", "failure"].map((o) => ({ value: o, label: t(`audit.outcomes.${o}`) }))} />
            <TextInput label={t("audit.actorId")} value={draft.actor_id} onChange={(e) => setDraft({ ...draft, actor_id: e.currentTarget.value })} />
            <TextInput label={t("audit.targetId")} value={draft.target_id} onChange={(e) => setDraft({ ...draft, target_id: e.currentTarget.value })} />
            <TextInput type="date" label={t("common.from")} value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.currentTarget.value })} />
            <TextInput type="date" label={t("common.to")} value={draft.until} onChange={(e) => setDraft({ ...draft, until: e.currentTarget.value })} />
          </SimpleGrid>
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={() => { setDraft(blank); setFilters(blank); }}>{t("common.reset")}</Button>
            <Button type="submit">{t("common.apply")}</Button>
          </Group>
        </form>
      </Paper>
      {list.isPending ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : records.length === 0 ? <Empty title={t("audit.empty")} /> : (
        <Paper withBorder className="table-scroll">
          <Table miw={760} verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr><Table.Th w={30} /><Table.Th>{t("audit.when")}</Table.Th><Table.Th>{t("audit.actor")}</Table.Th><Table.Th>{t("audit.action")}</Table.Th><Table.Th>{t("audit.outcome")}</Table.Th><Table.Th>{t("audit.target")}</Table.Th><Table.Th>IP</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {records.map((r) => (
                <Fragment key={r.id}>
                  <Table.Tr>
                    <Table.Td>
                      <ActionIcon variant="subtle" size="sm" onClick={() => setOpen(open === r.id ? null : r.id)} aria-expanded={open === r.id} aria-label={t("audit.details")}>
                        {open === r.id ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                      </ActionIcon>
                    </Table.Td>
                    <Table.Td className="num">{formatDateTime(r.occurred_at, i18n.language)}</Table.Td>
                    <Table.Td>{r.actor_label ?? "—"}</Table.Td>
                    <Table.Td><Code>{r.action}</Code></Table.Td>
                    <Table.Td><Badge size="sm" color={r.outcome === "success" ? "teal" : "red"} variant="light">{r.outcome}</Badge></Table.Td>
                    <Table.Td><Text size="xs">{r.target_type ?? ""} {r.target_id ?? ""}</Text></Table.Td>
                    <Table.Td><Text size="xs">{r.ip ?? ""}</Text></Table.Td>
                  </Table.Tr>
                  {open === r.id && (
                    <Table.Tr>
                      <Table.Td colSpan={7}>
                        <Code block>{JSON.stringify({ before: r.before, after: r.after, details: r.details, chain: r.chain, seq: r.seq, hash: r.hash, request_id: r.request_id }, null, 2)}</Code>
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {list.hasNextPage && <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>{t("common.loadMore")}</Button>}
    </Stack>
  );
}
