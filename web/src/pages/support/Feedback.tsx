import { useState } from "react";
import { Button, Group, Paper, Stack, Text } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { useTranslation } from "react-i18next";
import { api, call } from "../../api/client";
import { PageHeader } from "../../components/PageHeader";
import { Empty, QueryState } from "../../components/States";
import { formatDateTime } from "../../lib/dates";
import { NewThreadForm } from "./NewThreadForm";
import { StatusBadge } from "./common";

/** A customer's feedback: their own threads, newest first, and a form for a new one. */
export default function Feedback() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [writing, setWriting] = useState(false);
  const q = useInfiniteQuery({
    queryKey: ["support", "threads", "mine"],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => call(api.GET("/api/v1/support/threads", { params: { query: { cursor: pageParam } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  return (
    <Stack>
      <PageHeader
        title={t("feedback.title")}
        subtitle={t("feedback.subtitle")}
        actions={!writing && <Button leftSection={<IconPlus size={16} />} onClick={() => setWriting(true)}>{t("feedback.new")}</Button>}
      />
      {writing && (
        <Paper withBorder p="md">
          <NewThreadForm
            onCancel={() => setWriting(false)}
            onCreated={(created) => {
              setWriting(false);
              void qc.invalidateQueries({ queryKey: ["support", "threads"] });
              void navigate(`/feedback/${created.id}`);
            }}
          />
        </Paper>
      )}
      <QueryState q={q}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (!items.length) return <Empty title={t("feedback.empty")}>{t("feedback.emptyHint")}</Empty>;
          return (
            <Stack gap="xs">
              {items.map((th) => (
                <Paper key={th.id} withBorder p="md" component={Link} to={`/feedback/${th.id}`} style={{ textDecoration: "none", color: "inherit" }} data-testid="support-thread">
                  <Group justify="space-between">
                    <div>
                      <Text fw={600}>{th.subject}</Text>
                      <Text size="xs" c="dimmed">{t("feedback.updated", { when: formatDateTime(th.updated_at) })} · {t("feedback.messageCount", { count: th.message_count })}</Text>
                    </div>
                    <StatusBadge status={th.status} />
                  </Group>
                </Paper>
              ))}
              {q.hasNextPage && <Button variant="default" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>{t("common.loadMore")}</Button>}
            </Stack>
          );
        }}
      </QueryState>
    </Stack>
  );
}
