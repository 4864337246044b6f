import { useState } from "react";
import { Badge, Button, Group, Select, Stack, Table, Text, TextInput, Paper } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useInfiniteQuery } from "@tanstack/react-query";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { api, call, type Schemas } from "../../api/client";
import { can, useMe } from "../../auth/session";
import { Empty, ErrorState, Loading } from "../../components/States";
import { PageHeader } from "../../components/PageHeader";
import { formatDateTime } from "../../lib/dates";
import { CreateUserModal } from "./CreateUser";

type User = Schemas["UserOut"];
const PAGE = 50;

export const statusColor: Record<string, string> = { active: "teal", invited: "blue", disabled: "gray" };

export default function Users() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const [search, setSearch] = useState("");
  const [kind, setKind] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [q] = useDebouncedValue(search, 300);
  const [creating, setCreating] = useState(false);

  const list = useInfiniteQuery({
    queryKey: ["admin", "users", { q, kind, status }],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/admin/users", {
          params: {
            query: {
              search: q || undefined,
              kind: (kind as User["kind"]) ?? undefined,
              status: (status as User["status"]) ?? undefined,
              limit: PAGE,
              after: pageParam,
            },
          },
        }),
      ),
    getNextPageParam: (last: User[]) => (last.length === PAGE ? last[last.length - 1].id : undefined),
  });
  const users = list.data?.pages.flat() ?? [];

  return (
    <Stack>
      <PageHeader
        title={t("users.title")}
        subtitle={t("users.subtitle")}
        actions={
          can(me, "admin", "write") && (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              {t("users.new")}
            </Button>
          )
        }
      />
      <Paper withBorder p="sm">
        <Group gap="sm" wrap="wrap">
          <TextInput
            placeholder={t("users.searchPlaceholder")}
            aria-label={t("common.search")}
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            style={{ flex: "1 1 240px" }}
          />
          <Select
            aria-label={t("users.kind")}
            placeholder={t("users.allKinds")}
            clearable
            value={kind}
            onChange={setKind}
            data={["staff", "individual", "business", "partner"].map((k) => ({ value: k, label: t(`kinds.${k}`) }))}
            w={170}
          />
          <Select
            aria-label={t("users.status")}
            placeholder={t("users.allStatuses")}
            clearable
            value={status}
            onChange={setStatus}
            data={["invited", "active", "disabled"].map((k) => ({ value: k, label: t(`userStatus.${k}`) }))}
            w={170}
          />
        </Group>
      </Paper>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : users.length === 0 ? (
        <Empty title={t("users.empty")}>{t("users.emptyHint")}</Empty>
      ) : (
        <Paper withBorder className="table-scroll">
          <Table highlightOnHover verticalSpacing="xs" miw={640}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("users.name")}</Table.Th>
                <Table.Th>{t("users.kind")}</Table.Th>
                <Table.Th>{t("users.roles")}</Table.Th>
                <Table.Th>{t("users.status")}</Table.Th>
                <Table.Th>{t("users.lastLogin")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td>
                    <Text component={Link} to={`/admin/users/${u.id}`} fw={500} c="teal.8" style={{ textDecoration: "none" }}>
                      {u.full_name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {u.email}
                    </Text>
                  </Table.Td>
                  <Table.Td>{t(`kinds.${u.kind}`)}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {(u.roles ?? []).map((r) => (
                        <Badge key={r} variant="light" size="sm">
                          {r}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={statusColor[u.status]} variant="dot">
                      {t(`userStatus.${u.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{formatDateTime(u.last_login_at, i18n.language)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {list.hasNextPage && (
        <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t("common.loadMore")}
        </Button>
      )}
      <CreateUserModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
