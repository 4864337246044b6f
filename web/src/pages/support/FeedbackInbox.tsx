import { useState } from "react";
import { Button, Group, SegmentedControl, Stack, Table, TextInput } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { api, call } from "../../api/client";
import { PageHeader } from "../../components/PageHeader";
import { Empty, QueryState } from "../../components/States";
import { formatDateTime } from "../../lib/dates";
import { StatusBadge, type Thread } from "./common";

type Filter = "all" | Thread["status"];

/** Staff inbox of customer feedback: filter by status, search, open a thread to answer or close it. */
export default function FeedbackInbox() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Filter>("open");
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const query = useInfiniteQuery({
    queryKey: ["support", "threads", "inbox", status, q],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/support/threads", { params: { query: { cursor: pageParam, status: status === "all" ? undefined : status, q: q || undefined } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  return (
    <Stack>
      <PageHeader title={t("feedback.inboxTitle")} subtitle={t("feedback.inboxSubtitle")} />
      <Group wrap="wrap">
        <SegmentedControl
          aria-label={t("feedback.statusFilter")}
          value={status}
          onChange={(v) => setStatus(v as Filter)}
          data={(["open", "answered", "closed", "all"] as const).map((s) => ({ value: s, label: s === "all" ? t("feedback.all") : t(`feedback.status.${s}`) }))}
        />
        <form onSubmit={(e) => { e.preventDefault(); setQ(text.trim()); }}>
          <Group gap="xs">
            <TextInput aria-label={t("common.search")} placeholder={t("feedback.searchPlaceholder")} value={text} onChange={(e) => setText(e.currentTarget.value)} />
            <Button type="submit" variant="default">{t("common.search")}</Button>
          </Group>
        </form>
      </Group>
      <QueryState q={query}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (!items.length) return <Empty title={t("feedback.inboxEmpty")} />;
          return (
            <div className="table-scroll">
              <Table highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("feedback.subject")}</Table.Th>
                    <Table.Th>{t("feedback.customer")}</Table.Th>
                    <Table.Th>{t("feedback.statusLabel")}</Table.Th>
                    <Table.Th>{t("feedback.updatedAt")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((th) => (
                    <Table.Tr key={th.id} data-testid="support-thread">
                      <Table.Td><Link to={`/support/inbox/${th.id}`}>{th.subject}</Link></Table.Td>
                      <Table.Td>{th.customer_name}</Table.Td>
                      <Table.Td><StatusBadge status={th.status} /></Table.Td>
                      <Table.Td>{formatDateTime(th.updated_at)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {query.hasNextPage && <Button mt="sm" variant="default" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>{t("common.loadMore")}</Button>}
            </div>
          );
        }}
      </QueryState>
    </Stack>
  );
}
