import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { refreshSession, type Schemas } from "../../api/client";

export type Tx = Schemas["TransactionOut"];

/**
 * Subscribes to an account's Server-Sent Events stream; every new posting refreshes the
 * account's balance and history. A dropped stream reconnects (EventSource resumes from
 * Last-Event-ID); a refused one (expired access token) refreshes the session first.
 */
export function useAccountEvents(accountIds: string[], onTx?: (tx: Tx, accountId: string) => void) {
  const qc = useQueryClient();
  const key = accountIds.join(",");
  useEffect(() => {
    if (!key) return;
    let closed = false;
    const sources: EventSource[] = [];
    const timers: number[] = [];
    const open = (id: string, attempt = 0) => {
      if (closed) return;
      const es = new EventSource(`/api/v1/accounts/${id}/events`, { withCredentials: true });
      sources.push(es);
      es.addEventListener("transaction", (ev) => {
        const tx = JSON.parse((ev as MessageEvent).data) as Tx;
        void qc.invalidateQueries({ queryKey: ["accounts"] });
        onTx?.(tx, id);
      });
      es.onerror = () => {
        if (es.readyState === EventSource.CLOSED && !closed) {
          // The server refused the stream (e.g. 401): refresh, then try again with backoff.
          timers.push(
            window.setTimeout(async () => {
              await refreshSession();
              open(id, attempt + 1);
            }, Math.min(30_000, 1000 * 2 ** attempt)),
          );
        }
      };
    };
    key.split(",").forEach((id) => open(id));
    return () => {
      closed = true;
      sources.forEach((s) => s.close());
      timers.forEach((t) => clearTimeout(t));
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, qc]);
}
