import { useEffect, useState } from "react";
import { Alert, Anchor, Badge, Button, Grid, Group, MultiSelect, Paper, SegmentedControl, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { useTranslation } from "react-i18next";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { can, useMe } from "../../auth/session";
import { errorText } from "../../components/errors";
import { ErrorState, Loading } from "../../components/States";
import { formatDateTime } from "../../lib/dates";
import { notifyOutcome } from "./common";
import { statusColor } from "./Users";

type Access = Schemas["SectionAccessOut"];
type Override = "inherit" | "none" | "read" | "write" | "approve";

export default function UserDetail() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const writable = can(me, "admin", "write");
  const user = useQuery({ queryKey: ["admin", "user", id], queryFn: () => call(api.GET("/api/v1/admin/users/{user_id}", { params: { path: { user_id: id } } })) });

  const action = useMutation({
    mutationFn: async (kind: "disable" | "enable" | "invitation") => {
      const path = { params: { path: { user_id: id } } };
      if (kind === "disable") return call(api.POST("/api/v1/admin/users/{user_id}/disable", path));
      if (kind === "enable") return call(api.POST("/api/v1/admin/users/{user_id}/enable", path));
      return call(api.POST("/api/v1/admin/users/{user_id}/invitation", path));
    },
    onSuccess: (out, kind) => {
      notifyOutcome(out, t, t(`users.done.${kind}`));
      void qc.invalidateQueries({ queryKey: ["admin"] });
    },
    onError: (e) => notifications.show({ color: "red", message: errorText(e, t) }),
  });

  if (user.isPending) return <Loading />;
  if (user.error) return <ErrorState error={user.error} onRetry={() => user.refetch()} />;
  const u = user.data;

  return (
    <Stack>
      <Anchor component={Link} to="/admin/users" size="sm">
        ← {t("users.title")}
      </Anchor>
      <Group justify="space-between" wrap="wrap">
        <div>
          <Title order={1} size="h2">
            {u.full_name}
          </Title>
          <Text c="dimmed" size="sm">
            {u.email} · {t(`kinds.${u.kind}`)}
          </Text>
        </div>
        <Group gap="xs">
          <Badge size="lg" color={statusColor[u.status]} variant="dot" data-testid="user-status">
            {t(`userStatus.${u.status}`)}
          </Badge>
          {writable && u.status === "invited" && (
            <Button variant="default" onClick={() => action.mutate("invitation")} loading={action.isPending && action.variables === "invitation"}>
              {t("users.resend")}
            </Button>
          )}
          {writable && u.status !== "disabled" && u.id !== me.id && (
            <Button color="red" variant="light" onClick={() => action.mutate("disable")} loading={action.isPending && action.variables === "disable"}>
              {t("users.disable")}
            </Button>
          )}
          {writable && u.status === "disabled" && (
            <Button variant="light" onClick={() => action.mutate("enable")} loading={action.isPending && action.variables === "enable"}>
              {t("users.enable")}
            </Button>
          )}
        </Group>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <EditUser user={u} writable={writable} />
          <Paper withBorder p="md" mt="md">
            <Stack gap={4}>
              <Text size="sm">
                {t("users.created")}: {formatDateTime(u.created_at, i18n.language)}
              </Text>
              <Text size="sm">
                {t("users.lastLogin")}: {formatDateTime(u.last_login_at, i18n.language)}
              </Text>
              <Text size="sm">
                {t("profile.twoFactor")}: {[u.totp_enabled && t("login.method.totp"), u.sms_2fa_enabled && t("login.method.sms")].filter(Boolean).join(", ") || t("common.none")}
              </Text>
            </Stack>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <AccessMatrix userId={u.id} writable={writable} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function EditUser({ user, writable }: { user: Schemas["UserOut"]; writable: boolean }) {
  const { t } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const [fullName, setFullName] = useState(user.full_name);
  const [phone, setPhone] = useState(user.phone ?? "");
  const [roles, setRoles] = useState<string[]>(user.roles ?? []);
  const [fe, setFe] = useState<Record<string, string>>({});
  useEffect(() => {
    setFullName(user.full_name);
    setPhone(user.phone ?? "");
    setRoles(user.roles ?? []);
  }, [user]);
  const roleList = useQuery({ queryKey: ["admin", "roles"], queryFn: () => call(api.GET("/api/v1/admin/roles")), enabled: me.kind === "staff" });
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH("/api/v1/admin/users/{user_id}", {
          params: { path: { user_id: user.id } },
          body: { full_name: fullName, phone: phone || null, roles: me.kind === "staff" ? roles : undefined },
        }),
      ),
    onSuccess: () => {
      setFe({});
      notifications.show({ color: "teal", message: t("common.saved") });
      void qc.invalidateQueries({ queryKey: ["admin"] });
    },
    onError: (e) => {
      setFe(e instanceof ApiError ? e.fieldErrors() : {});
      notifications.show({ color: "red", message: errorText(e, t) });
    },
  });
  return (
    <Paper withBorder p="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <Title order={2} size="h4">
            {t("users.details")}
          </Title>
          <TextInput label={t("users.fullName")} value={fullName} onChange={(e) => setFullName(e.currentTarget.value)} disabled={!writable} error={fe.full_name} />
          <TextInput label={t("users.phone")} value={phone} onChange={(e) => setPhone(e.currentTarget.value)} disabled={!writable} error={fe.phone} />
          {me.kind === "staff" && (
            <MultiSelect
              label={t("users.roles")}
              data={(roleList.data ?? []).filter((r) => r.user_kind === user.kind).map((r) => ({ value: r.name, label: r.name }))}
              value={roles}
              onChange={setRoles}
              disabled={!writable}
              error={fe.roles}
            />
          )}
          {writable && (
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending}>
                {t("common.save")}
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

const levelColor: Record<string, string> = { none: "gray", read: "blue", write: "teal", approve: "violet" };

/** Per-section access: roles decide, or an override — allow (write), approve, read-only, deny. Effective at once. */
export function AccessMatrix({ userId, writable }: { userId: string; writable: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = ["admin", "access", userId];
  const access = useQuery({ queryKey: key, queryFn: () => call(api.GET("/api/v1/admin/users/{user_id}/access", { params: { path: { user_id: userId } } })) });
  const [error, setError] = useState<string | null>(null);
  const set = useMutation({
    mutationFn: ({ section, value }: { section: Access["section"]; value: Override }) =>
      call(
        api.PUT("/api/v1/admin/users/{user_id}/access/{section}", {
          params: { path: { user_id: userId, section } },
          body: { level: value === "inherit" ? null : value },
        }),
      ),
    onSuccess: (out) => {
      setError(null);
      if (Array.isArray(out)) qc.setQueryData(key, out);
      notifyOutcome(out, t, t("access.saved"));
    },
    onError: (e) => setError(errorText(e, t)),
  });
  const options: Array<{ value: Override; label: string }> = [
    { value: "inherit", label: t("access.inherit") },
    { value: "none", label: t("access.deny") },
    { value: "read", label: t("access.readOnly") },
    { value: "write", label: t("access.allow") },
    { value: "approve", label: t("access.approve") },
  ];

  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb={4}>
        {t("access.title")}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t("access.hint")}
      </Text>
      {error && (
        <Alert color="red" mb="sm" role="alert">
          {error}
        </Alert>
      )}
      {access.isPending ? (
        <Loading />
      ) : access.error ? (
        <ErrorState error={access.error} onRetry={() => access.refetch()} />
      ) : (
        <div className="table-scroll">
          <Table verticalSpacing={6} miw={800} aria-label={t("access.title")} style={{ whiteSpace: "nowrap" }}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("access.section")}</Table.Th>
                <Table.Th>{t("access.fromRoles")}</Table.Th>
                <Table.Th>{t("access.override")}</Table.Th>
                <Table.Th>{t("access.effective")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {access.data.map((row) => (
                <Table.Tr key={row.section} data-section={row.section}>
                  <Table.Td fw={500}>{t(`sections.${row.section}`)}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={levelColor[row.from_roles]}>
                      {t(`levels.${row.from_roles}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <SegmentedControl
                      size="xs"
                      disabled={!writable || set.isPending}
                      value={row.override ?? "inherit"}
                      onChange={(v) => set.mutate({ section: row.section, value: v as Override })}
                      data={options}
                      aria-label={t("access.overrideFor", { section: t(`sections.${row.section}`) })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Badge color={levelColor[row.effective]} data-testid={`effective-${row.section}`}>
                      {t(`levels.${row.effective}`)}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Paper>
  );
}
