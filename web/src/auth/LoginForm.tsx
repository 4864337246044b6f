import { useState } from "react";
import { Alert, Anchor, Button, Group, PasswordInput, SegmentedControl, Stack, Text, TextInput } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { api, ApiError, call } from "../api/client";
import { errorText } from "../components/errors";

type Step = { kind: "password" } | { kind: "mfa"; token: string; methods: string[] };

/** Password, then (when the user has one) the second factor: authenticator code or SMS code. */
export function LoginForm({ initialEmail, onDone }: { initialEmail?: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [email, setEmail] = useState(initialEmail ?? "");
  const [password, setPassword] = useState("");
  const [method, setMethod] = useState<"totp" | "sms">("totp");
  const [code, setCode] = useState("");
  const [smsSent, setSmsSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const fail = (e: unknown) => {
    setError(errorText(e, t));
    setFieldErrors(e instanceof ApiError ? e.fieldErrors() : {});
  };

  const sendSms = async (token: string) => {
    setBusy(true);
    setError(null);
    try {
      await call(api.POST("/api/v1/auth/mfa/sms", { body: { mfa_token: token } }));
      setSmsSent(true);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const submitPassword = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const out = await call(api.POST("/api/v1/auth/login", { body: { email, password } }));
      if (out.mfa_required && out.mfa_token) {
        const methods = out.mfa_methods ?? [];
        const first = methods.includes("totp") ? "totp" : "sms";
        setMethod(first);
        setStep({ kind: "mfa", token: out.mfa_token, methods });
        setBusy(false);
        if (first === "sms") await sendSms(out.mfa_token);
        return;
      }
      onDone();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (ev?: React.FormEvent) => {
    ev?.preventDefault();
    if (step.kind !== "mfa") return;
    setBusy(true);
    setError(null);
    try {
      await call(api.POST("/api/v1/auth/mfa/verify", { body: { mfa_token: step.token, method, code } }));
      onDone();
    } catch (e) {
      fail(e);
      setCode("");
    } finally {
      setBusy(false);
    }
  };

  if (step.kind === "mfa") {
    return (
      <form onSubmit={submitCode} aria-label={t("login.mfaTitle")}>
        <Stack>
          <Text fw={600}>{t("login.mfaTitle")}</Text>
          {step.methods.length > 1 && (
            <SegmentedControl
              value={method}
              onChange={(v) => {
                setMethod(v as "totp" | "sms");
                setCode("");
                if (v === "sms" && !smsSent) void sendSms(step.token);
              }}
              data={step.methods.map((m) => ({ value: m, label: t(`login.method.${m}`) }))}
            />
          )}
          <Text size="sm" c="dimmed">
            {method === "totp" ? t("login.totpHint") : smsSent ? t("login.smsSent") : t("login.smsHint")}
          </Text>
          <TextInput
            label={t("login.code")}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ""))}
            autoFocus
          />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="space-between">
            {method === "sms" ? (
              <Anchor component="button" type="button" size="sm" onClick={() => sendSms(step.token)}>
                {t("login.resend")}
              </Anchor>
            ) : (
              <span />
            )}
            <Button type="submit" loading={busy} disabled={code.length < 6}>
              {t("login.verify")}
            </Button>
          </Group>
        </Stack>
      </form>
    );
  }

  return (
    <form onSubmit={submitPassword} aria-label={t("login.title")}>
      <Stack>
        <TextInput
          label={t("login.email")}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={fieldErrors.email}
          autoFocus={!initialEmail}
        />
        <PasswordInput
          label={t("login.password")}
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={fieldErrors.password}
          autoFocus={!!initialEmail}
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Button type="submit" loading={busy}>
          {t("login.submit")}
        </Button>
      </Stack>
    </form>
  );
}
