import { Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { IconArrowsExchange } from "@tabler/icons-react";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { api, call } from "../../api/client";
import { can, useMe } from "../../auth/session";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { Empty, QueryState } from "../../components/States";
import { useAccountEvents } from "./live";

export const accountStatusColor: Record<string, string> = { open: "teal", frozen: "blue", closed: "gray" };

export default function Accounts() {
  const { t } = useTranslation();
  const me = useMe();
  const accounts = useQuery({ queryKey: ["accounts", "list"], queryFn: () => call(api.GET("/api/v1/accounts", {})) });
  useAccountEvents((accounts.data ?? []).filter((a) => a.status !== "closed").map((a) => a.id));
  return (
    <Stack>
      <PageHeader
        title={t("accounts.title")}
        subtitle={t("accounts.subtitle")}
        actions={can(me, "accounts", "write") && <Button component={Link} to="/transfer" leftSection={<IconArrowsExchange size={16} />}>{t("nav.transfer")}</Button>}
      />
      <QueryState q={accounts}>
        {(list) =>
          list.length === 0 ? <Empty title={t("accounts.empty")}>{t("accounts.emptyHint")}</Empty> : (
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
              {list.map((a) => (
                <Paper key={a.id} withBorder p="lg" component={Link} to={`/accounts/${a.id}`} style={{ textDecoration: "none", color: "inherit" }} data-testid="account-card" aria-label={`${a.name} ${a.number_masked}`}>
                  <Group justify="space-between" mb="xs">
                    <Title order={2} size="h5">{a.name}</Title>
                    <Badge color={accountStatusColor[a.status]} variant="light">{t(`accountStatus.${a.status}`)}</Badge>
                  </Group>
                  <Text size="sm" c="dimmed">{t(`products.${a.product}`)} · {a.number ?? a.number_masked}</Text>
                  <Text size="xs" c="dimmed" mt="md">{t("accounts.available")}</Text>
                  <Text fz={28} fw={700} data-testid="account-balance"><Money minor={a.balance.available_minor} currency={a.currency} /></Text>
                  <Text size="xs" c="dimmed">{t("accounts.posted")}: <Money minor={a.balance.posted_minor} currency={a.currency} /></Text>
                </Paper>
              ))}
            </SimpleGrid>
          )
        }
      </QueryState>
    </Stack>
  );
}
