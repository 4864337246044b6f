import { useEffect, useState } from "react";
import { Badge, Group, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { BarChart, LineChart } from "@mantine/charts";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, call } from "../api/client";
import { PageHeader } from "../components/PageHeader";
import { Empty, QueryState } from "../components/States";
import { minorExponent } from "../lib/money";

const REFRESH_MS = 5_000;

/** Live operations dashboard: job queue by status, failed jobs, security events (24 h). */
export default function Monitoring() {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: ["monitoring"], queryFn: () => call(api.GET("/api/v1/monitoring/summary")), refetchInterval: REFRESH_MS });
  // Queue depth over the last minutes, sampled on every refresh (kept in memory for the chart).
  const [series, setSeries] = useState<Array<{ time: string; todo: number; doing: number; failed: number }>>([]);
  useEffect(() => {
    if (!q.data) return;
    const j = q.data.jobs as Record<string, number>;
    const time = new Intl.DateTimeFormat(i18n.language, { timeStyle: "medium" }).format(new Date(q.dataUpdatedAt));
    setSeries((s) => [...s.slice(-59), { time, todo: j.todo ?? 0, doing: j.doing ?? 0, failed: j.failed ?? 0 }]);
  }, [q.data, q.dataUpdatedAt, i18n.language]);

  return (
    <Stack>
      <PageHeader title={t("monitoring.title")} subtitle={t("monitoring.subtitle", { seconds: REFRESH_MS / 1000 })} actions={q.isFetching ? <Badge variant="dot">{t("monitoring.live")}</Badge> : <Badge variant="dot" color="gray">{t("monitoring.live")}</Badge>} />
      <QueryState q={q}>
        {(m) => {
          const jobs = m.jobs as Record<string, number>;
          const events = m.security_events_24h as Record<string, number>;
          const total = Object.values(jobs).reduce((a, b) => a + b, 0);
          return (
            <>
              <SimpleGrid cols={{ base: 2, sm: 4 }}>
                {(["todo", "doing", "succeeded", "failed"] as const).map((s) => (
                  <Paper key={s} withBorder p="md">
                    <Text size="xs" c="dimmed" tt="uppercase" fw={700}>{t(`monitoring.jobStatus.${s}`)}</Text>
                    <Text size="xl" fw={700} className="num" c={s === "failed" && (jobs[s] ?? 0) > 0 ? "red" : undefined}>{(jobs[s] ?? 0).toLocaleString(i18n.language)}</Text>
                  </Paper>
                ))}
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Paper withBorder p="md">
                  <Title order={2} size="h5" mb="sm">{t("monitoring.queueDepth")}</Title>
                  {series.length < 2 ? <Text size="sm" c="dimmed">{t("monitoring.collecting")}</Text> : (
                    <LineChart h={220} data={series} dataKey="time" withDots={false} series={[{ name: "todo", label: t("monitoring.jobStatus.todo"), color: "blue.6" }, { name: "doing", label: t("monitoring.jobStatus.doing"), color: "teal.6" }, { name: "failed", label: t("monitoring.jobStatus.failed"), color: "red.6" }]} withLegend />
                  )}
                </Paper>
                <Paper withBorder p="md">
                  <Title order={2} size="h5" mb="sm">{t("monitoring.jobsByStatus", { total })}</Title>
                  {total === 0 ? <Empty title={t("monitoring.noJobs")} /> : (
                    <BarChart h={220} data={Object.entries(jobs).map(([status, count]) => ({ status: t(`monitoring.jobStatus.${status}`, { defaultValue: status }), count }))} dataKey="status" series={[{ name: "count", label: t("monitoring.count"), color: "teal.6" }]} />
                  )}
                </Paper>
                <Paper withBorder p="md">
                  <Title order={2} size="h5" mb="sm">{t("monitoring.securityEvents")}</Title>
                  {Object.keys(events).length === 0 ? <Empty title={t("monitoring.noEvents")} /> : (
                    <BarChart h={220} orientation="vertical" yAxisProps={{ width: 160 }} data={Object.entries(events).map(([action, count]) => ({ action, count }))} dataKey="action" series={[{ name: "count", label: t("monitoring.count"), color: "red.6" }]} />
                  )}
                </Paper>
                <Paper withBorder p="md">
                  <Title order={2} size="h5" mb="sm">{t("monitoring.failedJobs")}</Title>
                  {m.failed_jobs.length === 0 ? <Empty title={t("monitoring.noFailed")} /> : (
                    <div className="table-scroll">
                      <Table>
                        <Table.Thead><Table.Tr><Table.Th>#</Table.Th><Table.Th>{t("monitoring.task")}</Table.Th><Table.Th>{t("monitoring.queue")}</Table.Th><Table.Th>{t("monitoring.attempts")}</Table.Th></Table.Tr></Table.Thead>
                        <Table.Tbody>{m.failed_jobs.map((f) => <Table.Tr key={f.id}><Table.Td>{f.id}</Table.Td><Table.Td>{f.task_name}</Table.Td><Table.Td>{f.queue_name}</Table.Td><Table.Td>{f.attempts}</Table.Td></Table.Tr>)}</Table.Tbody>
                      </Table>
                    </div>
                  )}
                </Paper>
              </SimpleGrid>
              <TransactionsChart />
            </>
          );
        }}
      </QueryState>
    </Stack>
  );
}

const TX_COLORS: Record<string, string> = { booked: "blue.6", completed: "teal.6", awaiting_confirmation: "yellow.6", cancelled: "gray.5" };

/** Transfers per hour or day, stacked by status: counts, or amounts in one currency. */
function TransactionsChart() {
  const { t, i18n } = useTranslation();
  const [period, setPeriod] = useState<"hour" | "day">("day");
  const [metric, setMetric] = useState<"count" | "amount">("count");
  const q = useQuery({
    queryKey: ["monitoring", "transactions", period],
    queryFn: () => call(api.GET("/api/v1/monitoring/transactions", { params: { query: { period } } })),
    refetchInterval: REFRESH_MS * 6,
  });
  const items = q.data?.items ?? [];
  const currency = items[0]?.currency ?? "USD";
  const statuses = [...new Set(items.map((i) => i.status))].sort();
  const fmt = new Intl.DateTimeFormat(i18n.language, period === "hour" ? { day: "numeric", month: "short", hour: "2-digit" } : { day: "numeric", month: "short" });
  // Every bucket from `since` to now, empty ones included, so the time axis is even.
  const step = period === "hour" ? 3_600_000 : 86_400_000;
  const rows = new Map<number, Record<string, string | number>>();
  if (q.data) for (let at = Math.floor(new Date(q.data.since).getTime() / step) * step; at <= Date.now(); at += step) rows.set(at, { bucket: fmt.format(new Date(at)) });
  for (const i of items) {
    if (metric === "amount" && i.currency !== currency) continue;
    const at = new Date(i.bucket).getTime();
    const row = rows.get(at) ?? { bucket: fmt.format(new Date(at)) };
    row[i.status] = ((row[i.status] as number | undefined) ?? 0) + (metric === "count" ? i.count : i.amount_minor / 10 ** minorExponent(i.currency));
    rows.set(at, row);
  }
  const data = items.length ? [...rows.entries()].sort(([a], [b]) => a - b).map(([, r]) => r) : [];
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Title order={2} size="h5">{t("monitoring.transactions", { period: t(`monitoring.period.${period}`) })}</Title>
        <Group gap="xs">
          <SegmentedControl size="xs" value={metric} onChange={(v) => setMetric(v as "count" | "amount")} data={[{ value: "count", label: t("monitoring.byCount") }, { value: "amount", label: t("monitoring.byAmount") }]} />
          <SegmentedControl size="xs" value={period} onChange={(v) => setPeriod(v as "hour" | "day")} data={[{ value: "hour", label: t("monitoring.period.hour") }, { value: "day", label: t("monitoring.period.day") }]} />
        </Group>
      </Group>
      <QueryState q={q}>
        {() => data.length === 0 ? <Empty title={t("monitoring.noTransactions")} /> : (
          <BarChart
            h={260}
            data={data}
            dataKey="bucket"
            type="stacked"
            withLegend
            valueFormatter={(v) => v.toLocaleString(i18n.language)}
            yAxisLabel={metric === "amount" ? t("monitoring.txAmount", { currency }) : t("monitoring.count")}
            series={statuses.map((s) => ({ name: s, label: t(`monitoring.txStatus.${s}`, { defaultValue: s }), color: TX_COLORS[s] ?? "grape.6" }))}
          />
        )}
      </QueryState>
    </Paper>
  );
}
