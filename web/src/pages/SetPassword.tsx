import { useState } from "react";
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { Link, useSearchParams } from "react-router";
import { useTranslation } from "react-i18next";
import { api, ApiError, call } from "../api/client";
import { errorText } from "../components/errors";

/** The registration e-mail links here: /set-password?token=... */
export function SetPasswordPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setError(null);
    setFieldError(undefined);
    if (password !== repeat) {
      setFieldError(t("setPassword.mismatch"));
      return;
    }
    setBusy(true);
    try {
      await call(api.POST("/api/v1/auth/password/setup", { body: { token, password } }));
      setDone(true);
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors().password) setFieldError(e.fieldErrors().password);
      else setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={420} maw="100%">
        <main>
          <Title order={1} size="h3" mb="md">
            {t("setPassword.title")}
          </Title>
          {done ? (
            <Stack>
              <Alert color="teal">{t("setPassword.done")}</Alert>
              <Button component={Link} to="/login">
                {t("login.submit")}
              </Button>
            </Stack>
          ) : !token ? (
            <Alert color="red">{t("setPassword.noToken")}</Alert>
          ) : (
            <form onSubmit={submit}>
              <Stack>
                <Text size="sm" c="dimmed">
                  {t("setPassword.hint")}
                </Text>
                <PasswordInput label={t("setPassword.password")} autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={fieldError} />
                <PasswordInput label={t("setPassword.repeat")} autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.currentTarget.value)} />
                {error && <Alert color="red" role="alert">{error}</Alert>}
                <Button type="submit" loading={busy}>
                  {t("setPassword.submit")}
                </Button>
              </Stack>
            </form>
          )}
        </main>
      </Paper>
    </Center>
  );
}
