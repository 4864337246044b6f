import { useState } from "react";
import { Alert, Badge, Button, Code, Grid, Group, Image, Paper, PasswordInput, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, ApiError, call, type Schemas } from "../api/client";
import { useMe } from "../auth/session";
import { errorText } from "../components/errors";
import { PageHeader } from "../components/PageHeader";
import { QueryState } from "../components/States";
import { formatDateTime, timeZone } from "../lib/dates";

export default function Profile() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <Stack>
      <PageHeader title={t("profile.title")} subtitle={`${me.full_name} · ${me.email} · ${me.org_name} · ${t("profile.timeZone")}: ${timeZone()}`} />
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <PasswordChange />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <TwoFactor />
        </Grid.Col>
        <Grid.Col span={12}>
          <Sessions />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function PasswordChange() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [fe, setFe] = useState<Record<string, string>>({});
  const m = useMutation({
    mutationFn: () => call(api.POST("/api/v1/auth/password/change", { body: { current_password: current, new_password: next } })),
    onSuccess: () => {
      setCurrent("");
      setNext("");
      setFe({});
      notifications.show({ color: "teal", message: t("profile.passwordChanged") });
    },
    onError: (e) => {
      const f = e instanceof ApiError ? e.fieldErrors() : {};
      if (e instanceof ApiError && e.code === "password_wrong") f.current_password = errorText(e, t);
      setFe(f);
    },
  });
  const general = m.error && !Object.keys(fe).length ? errorText(m.error, t) : null;
  return (
    <Paper withBorder p="md">
      <form onSubmit={(e) => { e.preventDefault(); m.mutate(); }}>
        <Stack>
          <Title order={2} size="h4">{t("profile.password")}</Title>
          <PasswordInput label={t("profile.currentPassword")} autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.currentTarget.value)} error={fe.current_password} />
          <PasswordInput label={t("profile.newPassword")} autoComplete="new-password" required value={next} onChange={(e) => setNext(e.currentTarget.value)} error={fe.new_password} />
          {general && <Alert color="red" role="alert">{general}</Alert>}
          <Group justify="flex-end"><Button type="submit" loading={m.isPending}>{t("profile.changePassword")}</Button></Group>
        </Stack>
      </form>
    </Paper>
  );
}

function TwoFactor() {
  const { t } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const [totp, setTotp] = useState<Schemas["TotpSetupOut"] | null>(null);
  const [totpCode, setTotpCode] = useState("");
  const [phone, setPhone] = useState("");
  const [smsStarted, setSmsStarted] = useState(false);
  const [smsCode, setSmsCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>, ok?: string) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      if (ok) notifications.show({ color: "teal", message: ok });
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  const refreshMe = () => qc.invalidateQueries({ queryKey: ["me"] });

  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={2} size="h4">{t("profile.twoFactor")}</Title>
        <Group gap="xs">
          <Badge color={me.totp_enabled ? "teal" : "gray"}>{t("login.method.totp")}: {me.totp_enabled ? t("common.on") : t("common.off")}</Badge>
          <Badge color={me.sms_2fa_enabled ? "teal" : "gray"}>{t("login.method.sms")}: {me.sms_2fa_enabled ? `${t("common.on")} (${me.phone_masked ?? ""})` : t("common.off")}</Badge>
        </Group>
        {error && <Alert color="red" role="alert">{error}</Alert>}
        {/* Authenticator app */}
        {me.totp_enabled ? (
          <form onSubmit={(e) => { e.preventDefault(); void run(async () => { await call(api.DELETE("/api/v1/me/2fa/totp", { body: { code: totpCode } })); setTotpCode(""); await refreshMe(); }, t("profile.totpDisabled")); }}>
            <Group align="flex-end" wrap="nowrap">
              <TextInput label={t("login.code")} inputMode="numeric" autoComplete="one-time-code" value={totpCode} onChange={(e) => setTotpCode(e.currentTarget.value.replace(/\D/g, ""))} style={{ flex: 1 }} />
              <Button type="submit" variant="light" color="red" loading={busy}>{t("profile.disableTotp")}</Button>
            </Group>
          </form>
        ) : totp ? (
          <form onSubmit={(e) => { e.preventDefault(); void run(async () => { await call(api.POST("/api/v1/me/2fa/totp/confirm", { body: { code: totpCode } })); setTotp(null); setTotpCode(""); await refreshMe(); }, t("profile.totpEnabled")); }}>
            <Stack gap="xs">
              <Text size="sm">{t("profile.scanQr")}</Text>
              <Image src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(totp.qr_svg)}`} alt={t("profile.qrAlt")} w={180} h={180} />
              <Text size="xs" c="dimmed">{t("profile.secret")}: <Code>{totp.secret}</Code></Text>
              <TextInput label={t("login.code")} inputMode="numeric" autoComplete="one-time-code" value={totpCode} onChange={(e) => setTotpCode(e.currentTarget.value.replace(/\D/g, ""))} />
              <Group justify="flex-end"><Button type="submit" loading={busy}>{t("profile.confirm")}</Button></Group>
            </Stack>
          </form>
        ) : (
          <Button variant="light" loading={busy} onClick={() => run(async () => setTotp(await call(api.POST("/api/v1/me/2fa/totp", {}))))}>{t("profile.setupTotp")}</Button>
        )}
        {/* SMS */}
        {!smsStarted ? (
          <form onSubmit={(e) => { e.preventDefault(); void run(async () => { await call(api.POST("/api/v1/me/2fa/sms", { body: { phone } })); setSmsStarted(true); }); }}>
            <Group align="flex-end" wrap="nowrap">
              <TextInput label={t("profile.smsPhone")} placeholder="+358401234567" value={phone} onChange={(e) => setPhone(e.currentTarget.value)} style={{ flex: 1 }} />
              <Button type="submit" variant="light" loading={busy} disabled={!phone}>{me.sms_2fa_enabled ? t("profile.changeSms") : t("profile.setupSms")}</Button>
            </Group>
          </form>
        ) : (
          <form onSubmit={(e) => { e.preventDefault(); void run(async () => { await call(api.POST("/api/v1/me/2fa/sms/confirm", { body: { code: smsCode } })); setSmsStarted(false); setSmsCode(""); await refreshMe(); }, t("profile.smsEnabled")); }}>
            <Group align="flex-end" wrap="nowrap">
              <TextInput label={t("profile.smsCode")} inputMode="numeric" autoComplete="one-time-code" value={smsCode} onChange={(e) => setSmsCode(e.currentTarget.value.replace(/\D/g, ""))} style={{ flex: 1 }} />
              <Button type="submit" loading={busy}>{t("profile.confirm")}</Button>
            </Group>
          </form>
        )}
      </Stack>
    </Paper>
  );
}

function Sessions() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["me", "sessions"], queryFn: () => call(api.GET("/api/v1/me/sessions")) });
  const revoke = useMutation({
    mutationFn: (id: string) => call(api.DELETE("/api/v1/me/sessions/{session_id}", { params: { path: { session_id: id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["me", "sessions"] }),
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">{t("profile.sessions")}</Title>
      {revoke.error && <Alert color="red" role="alert" mb="sm">{errorText(revoke.error, t)}</Alert>}
      <QueryState q={q}>
        {(list) => (
          <div className="table-scroll">
            <Table miw={560}>
              <Table.Thead><Table.Tr><Table.Th>{t("profile.device")}</Table.Th><Table.Th>IP</Table.Th><Table.Th>{t("profile.started")}</Table.Th><Table.Th>{t("profile.lastUsed")}</Table.Th><Table.Th /></Table.Tr></Table.Thead>
              <Table.Tbody>
                {list.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td><Text size="sm" lineClamp={1} maw={280}>{s.user_agent ?? "—"}</Text></Table.Td>
                    <Table.Td>{s.ip ?? "—"}</Table.Td>
                    <Table.Td>{formatDateTime(s.created_at, i18n.language)}</Table.Td>
                    <Table.Td>{formatDateTime(s.last_used_at, i18n.language)}</Table.Td>
                    <Table.Td>{s.current ? <Badge>{t("profile.thisSession")}</Badge> : <Button size="xs" color="red" variant="subtle" onClick={() => revoke.mutate(s.id)}>{t("profile.revoke")}</Button>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        )}
      </QueryState>
    </Paper>
  );
}
