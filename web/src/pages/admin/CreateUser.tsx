import { useState } from "react";
import { Alert, Button, Group, Modal, MultiSelect, SegmentedControl, Select, Stack, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { useTranslation } from "react-i18next";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { errorText } from "../../components/errors";
import { useSessionState } from "../../components/useSessionState";
import { useMe } from "../../auth/session";

type Kind = Schemas["UserOut"]["kind"];
const NEW_ORG = "__new__";

const blank = { kind: "individual" as Kind, email: "", full_name: "", phone: "", org_id: "", org_name: "", org_reg: "", roles: [] as string[] };

/** Add a user: an individual, a company (business) user, a partner user or staff. The server e-mails the set-password link. */
export function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [form, setForm, clear] = useSessionState("create-user", blank);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fe, setFe] = useState<Record<string, string>>({});
  const set = (patch: Partial<typeof blank>) => setForm((f) => ({ ...f, ...patch }));
  const isStaff = me.kind === "staff";
  const needsOrg = form.kind === "business" || form.kind === "partner";

  const roles = useQuery({ queryKey: ["admin", "roles"], queryFn: () => call(api.GET("/api/v1/admin/roles")), enabled: opened && isStaff });
  const orgs = useQuery({ queryKey: ["admin", "orgs"], queryFn: () => call(api.GET("/api/v1/admin/organisations", {})), enabled: opened && isStaff && needsOrg });
  const orgKind = form.kind === "partner" ? "partner" : "company";

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    setFe({});
    try {
      let orgId: string | null = isStaff && needsOrg ? form.org_id || null : null;
      if (isStaff && needsOrg && form.org_id === NEW_ORG) {
        const org = await call(
          api.POST("/api/v1/admin/organisations", { body: { name: form.org_name, kind: orgKind, registration_number: form.org_reg || null } }),
        );
        orgId = org.id;
        set({ org_id: org.id });
        void qc.invalidateQueries({ queryKey: ["admin", "orgs"] });
      }
      const user = await call(
        api.POST("/api/v1/admin/users", {
          body: {
            email: form.email,
            full_name: form.full_name,
            kind: isStaff ? form.kind : me.kind,
            org_id: orgId,
            phone: form.phone || null,
            roles: form.roles,
          },
        }),
      );
      notifications.show({ color: "teal", title: t("users.created"), message: t("users.invitationSent", { email: user.email }) });
      clear();
      void qc.invalidateQueries({ queryKey: ["admin", "users"] });
      onClose();
      navigate(`/admin/users/${user.id}`);
    } catch (e) {
      setError(errorText(e, t));
      if (e instanceof ApiError) setFe(e.fieldErrors());
    } finally {
      setBusy(false);
    }
  };

  const roleOptions = (roles.data ?? []).filter((r) => r.user_kind === form.kind).map((r) => ({ value: r.name, label: r.name }));

  return (
    <Modal opened={opened} onClose={onClose} title={t("users.new")} size="lg">
      <form onSubmit={submit} aria-label={t("users.new")}>
        <Stack>
          {isStaff && (
            <SegmentedControl
              fullWidth
              value={form.kind}
              onChange={(v) => set({ kind: v as Kind, roles: [], org_id: "" })}
              data={(["individual", "business", "partner", "staff"] as Kind[]).map((k) => ({ value: k, label: t(`kinds.${k}`) }))}
              aria-label={t("users.kind")}
            />
          )}
          <TextInput label={t("users.fullName")} required value={form.full_name} onChange={(e) => set({ full_name: e.currentTarget.value })} error={fe.full_name} />
          <TextInput label={t("users.email")} type="email" required value={form.email} onChange={(e) => set({ email: e.currentTarget.value })} error={fe.email} />
          <TextInput label={t("users.phone")} placeholder="+358401234567" value={form.phone} onChange={(e) => set({ phone: e.currentTarget.value })} error={fe.phone} />
          {isStaff && needsOrg && (
            <>
              <Select
                label={t("users.organisation")}
                required
                searchable
                value={form.org_id || null}
                onChange={(v) => set({ org_id: v ?? "" })}
                data={[
                  { value: NEW_ORG, label: t("users.newOrganisation") },
                  ...(orgs.data ?? []).filter((o) => o.kind === orgKind).map((o) => ({ value: o.id, label: o.name })),
                ]}
                error={fe.org_id}
              />
              {form.org_id === NEW_ORG && (
                <Group grow>
                  <TextInput label={t("orgs.name")} required value={form.org_name} onChange={(e) => set({ org_name: e.currentTarget.value })} error={fe.name} />
                  <TextInput label={t("orgs.registration")} value={form.org_reg} onChange={(e) => set({ org_reg: e.currentTarget.value })} error={fe.registration_number} />
                </Group>
              )}
            </>
          )}
          {isStaff && (
            <MultiSelect label={t("users.roles")} data={roleOptions} value={form.roles} onChange={(v) => set({ roles: v })} error={fe.roles} clearable />
          )}
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={busy}>
              {t("users.createAndInvite")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
