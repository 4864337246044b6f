import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Modal, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { api, ApiError, apiFetch, call, session, type Schemas } from "../api/client";
import { setUserTimeZone } from "../lib/dates";
import { LoginForm } from "./LoginForm";

export type Me = Schemas["MeOut"];
export type Level = "none" | "read" | "write" | "approve";
const ORDER: Record<Level, number> = { none: 0, read: 1, write: 2, approve: 3 };

export function levelOf(me: Me | null | undefined, section: string): Level {
  const v = (me?.permissions as Record<string, string> | undefined)?.[section];
  return (v as Level) ?? "none";
}

export function can(me: Me | null | undefined, section: string, level: Level = "read"): boolean {
  return ORDER[levelOf(me, section)] >= ORDER[level];
}

interface Ctx {
  me: Me | null;
  loading: boolean;
  refetch: () => Promise<unknown>;
  logout: () => Promise<void>;
}
const SessionContext = createContext<Ctx>({
  me: null,
  loading: true,
  refetch: async () => undefined,
  logout: async () => undefined,
});

export function useSession() {
  return useContext(SessionContext);
}

export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error("useMe outside a signed-in page");
  return me;
}

async function fetchMe(): Promise<Me | null> {
  try {
    return await call(api.GET("/api/v1/me"));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["me"], queryFn: fetchMe, staleTime: 30_000, retry: 1 });
  const me = q.data ?? null;
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    session.setSignedIn(!!me);
    setUserTimeZone(me?.timezone);
  }, [me]);
  useEffect(() => {
    const off = session.subscribe(setExpired);
    return () => {
      off();
    };
  }, []);

  const logout = async () => {
    await apiFetch("/api/v1/auth/logout", { method: "POST" }).catch(() => undefined);
    session.setSignedIn(false);
    qc.clear();
    sessionStorage.clear();
    qc.setQueryData(["me"], null);
  };

  return (
    <SessionContext.Provider value={{ me, loading: q.isPending, refetch: q.refetch, logout }}>
      {children}
      <ReloginModal
        opened={expired && !!me}
        email={me?.email}
        onDone={async () => {
          const fresh = await fetchMe();
          if (!fresh || fresh.id !== me?.id) {
            // Someone else signed in: start clean.
            sessionStorage.clear();
            window.location.assign("/");
            return;
          }
          qc.setQueryData(["me"], fresh);
          session.resume(true);
        }}
      />
    </SessionContext.Provider>
  );
}

function ReloginModal(props: { opened: boolean; email?: string; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={props.opened}
      onClose={() => undefined}
      withCloseButton={false}
      closeOnEscape={false}
      closeOnClickOutside={false}
      title={t("login.expiredTitle")}
      centered
    >
      <Text size="sm" mb="md">
        {t("login.expiredText")}
      </Text>
      <LoginForm initialEmail={props.email} onDone={props.onDone} />
    </Modal>
  );
}
