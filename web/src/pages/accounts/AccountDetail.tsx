import { useState } from "react";
import { Alert, Anchor, Badge, Button, Drawer, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { IconDownload, IconFileTypePdf, IconSearch } from "@tabler/icons-react";
import { Link, useParams } from "react-router";
import { useTranslation } from "react-i18next";
import { api, call, download, type Schemas } from "../../api/client";
import { errorText } from "../../components/errors";
import { Money } from "../../components/Money";
import { Empty, ErrorState, Loading } from "../../components/States";
import { formatDateTime, isoDay, startOfDayInZone } from "../../lib/dates";
import { parseAmountToMinor } from "../../lib/money";
import { accountStatusColor } from "./Accounts";
import { useAccountEvents, type Tx } from "./live";

type TxPage = Schemas["TransactionPage"];
const blank = { q: "", direction: null as string | null, from: "", to: "", min: "", max: "" };

export default function AccountDetail() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation();
  const account = useQuery({ queryKey: ["accounts", "one", id], queryFn: () => call(api.GET("/api/v1/accounts/{account_id}", { params: { path: { account_id: id } } })) });
  const [draft, setDraft] = useState(blank);
  const [filters, setFilters] = useState(blank);
  const [selected, setSelected] = useState<Tx | null>(null);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  useAccountEvents([id], (tx) => setFresh((s) => new Set(s).add(tx.posting_id)));
  const currency = account.data?.currency ?? "USD";

  const history = useInfiniteQuery({
    queryKey: ["accounts", "history", id, filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/accounts/{account_id}/transactions", {
          params: {
            path: { account_id: id },
            query: {
              q: filters.q || undefined,
              direction: (filters.direction as "in" | "out" | null) ?? undefined,
              from: filters.from ? startOfDayInZone(filters.from) : undefined,
              to: filters.to ? startOfDayInZone(nextDay(filters.to)) : undefined,
              min_amount_minor: filters.min ? parseAmountToMinor(filters.min, currency) ?? undefined : undefined,
              max_amount_minor: filters.max ? parseAmountToMinor(filters.max, currency) ?? undefined : undefined,
              cursor: pageParam,
              limit: 50,
            },
          },
        }),
      ),
    getNextPageParam: (last: TxPage) => last.next_cursor ?? undefined,
  });
  const items = history.data?.pages.flatMap((p) => p.items) ?? [];

  if (account.isPending) return <Loading />;
  if (account.error) return <ErrorState error={account.error} onRetry={() => account.refetch()} />;
  const a = account.data;

  return (
    <Stack>
      <Anchor component={Link} to="/accounts" size="sm">← {t("accounts.title")}</Anchor>
      <Paper withBorder p="lg">
        <Group justify="space-between" wrap="wrap" align="flex-start">
          <div>
            <Title order={1} size="h2">{a.name}</Title>
            <Text c="dimmed" size="sm">{t(`products.${a.product}`)} · {a.number ?? a.number_masked}</Text>
            <Badge mt={6} color={accountStatusColor[a.status]} variant="light">{t(`accountStatus.${a.status}`)}</Badge>
          </div>
          <div style={{ textAlign: "right" }}>
            <Text size="xs" c="dimmed">{t("accounts.available")}</Text>
            <Text fz={30} fw={700} data-testid="account-balance"><Money minor={a.balance.available_minor} currency={a.currency} /></Text>
            <Text size="xs" c="dimmed">{t("accounts.posted")}: <Money minor={a.balance.posted_minor} currency={a.currency} /></Text>
          </div>
        </Group>
      </Paper>
      <Statement accountId={a.id} />
      <Title order={2} size="h4">{t("history.title")}</Title>
      <Paper withBorder p="sm">
        <form onSubmit={(e) => { e.preventDefault(); setFilters(draft); }} aria-label={t("history.filters")}>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
            <TextInput label={t("common.search")} placeholder={t("history.searchPlaceholder")} leftSection={<IconSearch size={16} />} value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.currentTarget.value })} />
            <Select label={t("history.direction")} clearable value={draft.direction} onChange={(v) => setDraft({ ...draft, direction: v })} data={[{ value: "in", label: t("history.in") }, { value: "out", label: t("history.out") }]} />
            <Group grow>
              <TextInput label={t("history.minAmount")} inputMode="decimal" value={draft.min} onChange={(e) => setDraft({ ...draft, min: e.currentTarget.value })} />
              <TextInput label={t("history.maxAmount")} inputMode="decimal" value={draft.max} onChange={(e) => setDraft({ ...draft, max: e.currentTarget.value })} />
            </Group>
            <TextInput type="date" label={t("common.from")} value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />
            <TextInput type="date" label={t("common.to")} value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />
            <Group align="flex-end" justify="flex-end">
              <Button variant="default" onClick={() => { setDraft(blank); setFilters(blank); }}>{t("common.reset")}</Button>
              <Button type="submit">{t("common.apply")}</Button>
            </Group>
          </SimpleGrid>
        </form>
      </Paper>
      {history.isPending ? <Loading /> : history.error ? <ErrorState error={history.error} onRetry={() => history.refetch()} /> : items.length === 0 ? <Empty title={t("history.empty")}>{t("history.emptyHint")}</Empty> : (
        <Paper withBorder className="table-scroll">
          <Table highlightOnHover verticalSpacing="xs" data-testid="history">
            <Table.Thead>
              <Table.Tr><Table.Th>{t("history.date")}</Table.Th><Table.Th>{t("history.description")}</Table.Th><Table.Th visibleFrom="sm">{t("history.counterparty")}</Table.Th><Table.Th ta="right">{t("history.amount")}</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((tx) => (
                <Table.Tr key={tx.posting_id} onClick={() => setSelected(tx)} style={{ cursor: "pointer" }} bg={fresh.has(tx.posting_id) ? "teal.0" : undefined} data-testid="tx-row">
                  <Table.Td className="num"><Text size="sm">{formatDateTime(tx.booked_at, i18n.language)}</Text></Table.Td>
                  <Table.Td>
                    <Anchor component="button" type="button" size="sm" c="dark" onClick={(e) => { e.stopPropagation(); setSelected(tx); }}>{tx.description || t(`txKind.${tx.kind}`, { defaultValue: tx.kind })}</Anchor>
                    {fresh.has(tx.posting_id) && <Badge size="xs" ml={6} color="teal">{t("history.new")}</Badge>}
                  </Table.Td>
                  <Table.Td visibleFrom="sm"><Text size="sm">{tx.counterparty_name ?? ""} <Text span c="dimmed" size="xs">{tx.counterparty_number_masked ?? ""}</Text></Text></Table.Td>
                  <Table.Td ta="right"><Money minor={tx.amount_minor} currency={tx.currency} signed /></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {history.hasNextPage && <Button variant="default" onClick={() => history.fetchNextPage()} loading={history.isFetchingNextPage}>{t("common.loadMore")}</Button>}
      <Drawer opened={!!selected} onClose={() => setSelected(null)} title={t("tx.title")} position="right" size="md">
        {selected && <TxDetails tx={selected} />}
      </Drawer>
    </Stack>
  );
}

function nextDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function TxDetails({ tx }: { tx: Tx }) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const rows: Array<[string, React.ReactNode]> = [
    [t("history.amount"), <Money key="m" minor={tx.amount_minor} currency={tx.currency} signed />],
    [t("history.date"), formatDateTime(tx.booked_at, i18n.language)],
    [t("history.description"), tx.description || "—"],
    [t("tx.kind"), t(`txKind.${tx.kind}`, { defaultValue: tx.kind })],
    [t("history.counterparty"), `${tx.counterparty_name ?? "—"} ${tx.counterparty_number_masked ?? ""}`],
    [t("tx.entry"), <Text key="e" size="xs" ff="monospace">{tx.entry_id}</Text>],
  ];
  return (
    <Stack>
      <Table variant="vertical" withTableBorder>
        <Table.Tbody>
          {rows.map(([k, v]) => <Table.Tr key={k}><Table.Th w={140}>{k}</Table.Th><Table.Td>{v}</Table.Td></Table.Tr>)}
        </Table.Tbody>
      </Table>
      {tx.transfer_id ? (
        <Button
          leftSection={<IconFileTypePdf size={18} />}
          loading={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await download(`/api/v1/transfers/${tx.transfer_id}/receipt.pdf`, `receipt-${tx.transfer_id}.pdf`);
            } catch (e) {
              notifications.show({ color: "red", message: errorText(e, t) });
            } finally {
              setBusy(false);
            }
          }}
        >
          {t("tx.receipt")}
        </Button>
      ) : (
        <Text size="sm" c="dimmed">{t("tx.noReceipt")}</Text>
      )}
    </Stack>
  );
}

function Statement({ accountId }: { accountId: string }) {
  const { t } = useTranslation();
  const today = new Date();
  const monthAgo = new Date(today.getTime() - 30 * 86400_000);
  const [from, setFrom] = useState(isoDay(monthAgo));
  const [to, setTo] = useState(isoDay(today));
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const get = async (format: "pdf" | "csv") => {
    setBusy(format);
    setError(null);
    try {
      const qs = new URLSearchParams({ from: startOfDayInZone(from), to: startOfDayInZone(nextDay(to)), format });
      await download(`/api/v1/accounts/${accountId}/statement?${qs}`, `statement.${format}`);
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Paper withBorder p="sm">
      <Group align="flex-end" wrap="wrap" gap="sm">
        <Text fw={600} size="sm" style={{ alignSelf: "center" }}>{t("statement.title")}</Text>
        <TextInput type="date" label={t("common.from")} value={from} onChange={(e) => setFrom(e.currentTarget.value)} size="xs" />
        <TextInput type="date" label={t("common.to")} value={to} onChange={(e) => setTo(e.currentTarget.value)} size="xs" />
        <Button size="xs" variant="light" leftSection={<IconDownload size={14} />} loading={busy === "pdf"} onClick={() => get("pdf")}>PDF</Button>
        <Button size="xs" variant="light" leftSection={<IconDownload size={14} />} loading={busy === "csv"} onClick={() => get("csv")}>CSV</Button>
      </Group>
      {error && <Alert color="red" mt="xs" role="alert">{error}</Alert>}
    </Paper>
  );
}
