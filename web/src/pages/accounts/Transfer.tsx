import { useState } from "react";
import { Alert, Button, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { api, ApiError, call, download, idempotencyKey, type Schemas } from "../../api/client";
import { errorText } from "../../components/errors";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { Empty, QueryState } from "../../components/States";
import { useSessionState } from "../../components/useSessionState";
import { parseAmountToMinor } from "../../lib/money";

type TransferOut = Schemas["TransferOut"];
// Which form field an error code belongs to: the message is shown next to it.
const FIELD_OF: Record<string, string> = {
  insufficient_funds: "amount", amount_not_positive: "amount", amount_too_large: "amount", currency_mismatch: "amount",
  account_frozen: "from", account_closed: "from", account_not_open: "from",
  recipient_not_found: "to", same_account: "to", account_not_found: "to",
};

const blank = { from: "", mode: "own" as "own" | "other", toId: "", toNumber: "", amount: "", description: "", key: "" };

export default function Transfer() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const accounts = useQuery({ queryKey: ["accounts", "list"], queryFn: () => call(api.GET("/api/v1/accounts", {})) });
  // The draft survives a lost session or a reload; the idempotency key keeps a retried submit from paying twice.
  const [form, setForm, clear] = useSessionState("transfer", blank);
  const [fe, setFe] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<TransferOut | null>(null);
  const [done, setDone] = useState<TransferOut | null>(null);
  const [code, setCode] = useState("");
  const set = (p: Partial<typeof blank>) => setForm((f) => ({ ...f, ...p }));

  const list = (accounts.data ?? []).filter((a) => a.status !== "closed");
  const from = list.find((a) => a.id === form.from);
  const currency = from?.currency ?? list[0]?.currency ?? "USD";

  const showError = (e: unknown) => {
    const msg = errorText(e, t);
    if (e instanceof ApiError) {
      const fields = e.fieldErrors();
      const mapped: Record<string, string> = {};
      if (fields.from_account_id) mapped.from = fields.from_account_id;
      if (fields.to_account_id) mapped.to = fields.to_account_id;
      if (fields.to_account_number) mapped.to = fields.to_account_number;
      if (fields.amount_minor) mapped.amount = fields.amount_minor;
      if (fields.description) mapped.description = fields.description;
      const field = FIELD_OF[e.code];
      if (field) mapped[field] = msg;
      setFe(mapped);
      if (!field && !Object.keys(mapped).length) setError(msg);
    } else setError(msg);
  };

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFe({});
    setError(null);
    const amount = parseAmountToMinor(form.amount, currency);
    const errs: Record<string, string> = {};
    if (!form.from) errs.from = t("transfer.pickFrom");
    if (form.mode === "own" && !form.toId) errs.to = t("transfer.pickTo");
    if (form.mode === "other" && !form.toNumber.trim()) errs.to = t("transfer.enterNumber");
    if (!amount) errs.amount = t("transfer.badAmount");
    if (Object.keys(errs).length) return setFe(errs);
    const key = form.key || idempotencyKey();
    set({ key });
    setBusy(true);
    try {
      const out = await call(
        api.POST("/api/v1/transfers", {
          params: { header: { "Idempotency-Key": key } },
          body: {
            from_account_id: form.from,
            to_account_id: form.mode === "own" ? form.toId : null,
            to_account_number: form.mode === "other" ? form.toNumber.replace(/\s/g, "") : null,
            amount_minor: amount!,
            currency,
            description: form.description,
          },
        }),
      );
      if (out.status === "awaiting_confirmation") setPending(out);
      else finish(out);
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };

  const finish = (out: TransferOut) => {
    setPending(null);
    setDone(out);
    setCode("");
    clear();
    void qc.invalidateQueries({ queryKey: ["accounts"] });
  };

  const confirm = async (ev: React.FormEvent) => {
    ev.preventDefault();
    if (!pending) return;
    setBusy(true);
    setError(null);
    try {
      finish(await call(api.POST("/api/v1/transfers/{transfer_id}/confirm", { params: { path: { transfer_id: pending.id } }, body: { code } })));
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  if (done)
    return (
      <Stack maw={560}>
        <PageHeader title={t("transfer.title")} />
        <Alert color="teal" title={t("transfer.doneTitle")} data-testid="transfer-done">
          <Text size="sm"><Money minor={done.amount_minor} currency={done.currency} /> — {done.description}</Text>
          {done.fee_minor > 0 && <Text size="sm">{t("transfer.fee")}: <Money minor={done.fee_minor} currency={done.currency} /></Text>}
        </Alert>
        <Group>
          <Button onClick={() => download(`/api/v1/transfers/${done.id}/receipt.pdf`, `receipt-${done.id}.pdf`)}>{t("tx.receipt")}</Button>
          <Button variant="default" component={Link} to={`/accounts/${done.from_account_id}`}>{t("transfer.toHistory")}</Button>
          <Button variant="subtle" onClick={() => setDone(null)}>{t("transfer.another")}</Button>
        </Group>
      </Stack>
    );

  return (
    <Stack maw={560}>
      <PageHeader title={t("transfer.title")} subtitle={t("transfer.subtitle")} />
      <QueryState q={accounts}>
        {() =>
          list.length === 0 ? <Empty title={t("accounts.empty")} /> : pending ? (
            <Paper withBorder p="lg">
              <form onSubmit={confirm} aria-label={t("transfer.confirmTitle")}>
                <Stack>
                  <Title order={2} size="h4">{t("transfer.confirmTitle")}</Title>
                  <Text size="sm">{t(pending.challenge_method === "totp" ? "transfer.confirmTotp" : "transfer.confirmSms")}</Text>
                  <Text size="sm"><Money minor={pending.amount_minor} currency={pending.currency} /></Text>
                  <TextInput label={t("login.code")} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, ""))} autoFocus />
                  {error && <Alert color="red" role="alert">{error}</Alert>}
                  <Group justify="space-between">
                    {pending.challenge_method === "sms" ? (
                      <Button variant="subtle" onClick={() => call(api.POST("/api/v1/transfers/{transfer_id}/resend-code", { params: { path: { transfer_id: pending.id } } })).catch(showError)}>{t("login.resend")}</Button>
                    ) : <span />}
                    <Button type="submit" loading={busy} disabled={code.length < 6}>{t("transfer.confirm")}</Button>
                  </Group>
                </Stack>
              </form>
            </Paper>
          ) : (
            <Paper withBorder p="lg">
              <form onSubmit={submit} aria-label={t("transfer.title")} noValidate>
                <Stack>
                  <Select label={t("transfer.from")} required value={form.from || null} onChange={(v) => set({ from: v ?? "", key: "" })} error={fe.from}
                    data={list.map((a) => ({ value: a.id, label: `${a.name} · ${a.number ?? a.number_masked}` }))} allowDeselect={false} />
                  {from && <Text size="xs" c="dimmed" mt={-8}>{t("accounts.available")}: <Money minor={from.balance.available_minor} currency={from.currency} /></Text>}
                  <SegmentedControl value={form.mode} onChange={(v) => set({ mode: v as "own" | "other", key: "" })} data={[{ value: "own", label: t("transfer.ownAccount") }, { value: "other", label: t("transfer.otherCustomer") }]} aria-label={t("transfer.to")} />
                  {form.mode === "own" ? (
                    <Select label={t("transfer.to")} required value={form.toId || null} onChange={(v) => set({ toId: v ?? "", key: "" })} error={fe.to}
                      data={list.filter((a) => a.id !== form.from).map((a) => ({ value: a.id, label: `${a.name} · ${a.number ?? a.number_masked}` }))} allowDeselect={false} />
                  ) : (
                    <TextInput label={t("transfer.toNumber")} required value={form.toNumber} onChange={(e) => set({ toNumber: e.currentTarget.value, key: "" })} error={fe.to} />
                  )}
                  <TextInput label={t("transfer.amount", { currency })} required inputMode="decimal" value={form.amount} onChange={(e) => set({ amount: e.currentTarget.value, key: "" })} error={fe.amount} />
                  <TextInput label={t("transfer.description")} value={form.description} maxLength={140} onChange={(e) => set({ description: e.currentTarget.value, key: "" })} error={fe.description} />
                  {error && <Alert color="red" role="alert">{error}</Alert>}
                  <Button type="submit" loading={busy}>{t("transfer.submit")}</Button>
                </Stack>
              </form>
            </Paper>
          )
        }
      </QueryState>
    </Stack>
  );
}
