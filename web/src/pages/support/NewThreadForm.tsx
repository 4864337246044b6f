import { useState } from "react";
import { Alert, Button, Group, Stack, Textarea, TextInput } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { errorText } from "../../components/errors";

export const MAX_BODY = 4000;
export const MAX_SUBJECT = 200;

/** A customer's new feedback thread: subject and first message; validated here and on the server. */
export function NewThreadForm({ onCreated, onCancel }: { onCreated: (t: Schemas["ThreadDetailOut"]) => void; onCancel?: () => void }) {
  const { t } = useTranslation();
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [fe, setFe] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setError(null);
    const errs: Record<string, string> = {};
    if (!subject.trim()) errs.subject = t("feedback.subjectRequired");
    if (!body.trim()) errs.body = t("feedback.bodyRequired");
    if (body.length > MAX_BODY) errs.body = t("feedback.bodyTooLong", { max: MAX_BODY });
    setFe(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const created = await call(api.POST("/api/v1/support/threads", { body: { subject: subject.trim(), body: body.trim() } }));
      setSubject("");
      setBody("");
      onCreated(created);
    } catch (e) {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      if (fields.subject || fields.body) setFe({ subject: fields.subject ?? "", body: fields.body ?? "" });
      else setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={t("feedback.newTitle")}>
      <Stack>
        {error && <Alert color="red" role="alert">{error}</Alert>}
        <TextInput label={t("feedback.subject")} value={subject} maxLength={MAX_SUBJECT} onChange={(e) => setSubject(e.currentTarget.value)} error={fe.subject || undefined} required />
        <Textarea
          label={t("feedback.message")}
          description={t("feedback.chars", { count: body.length, max: MAX_BODY })}
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
          error={fe.body || undefined}
          rows={5}
          required
        />
        <Group justify="flex-end">
          {onCancel && <Button variant="default" onClick={onCancel}>{t("common.cancel")}</Button>}
          <Button type="submit" loading={busy}>{t("feedback.send")}</Button>
        </Group>
      </Stack>
    </form>
  );
}
