import { useEffect, useState } from "react";

/**
 * useState that survives a reload or a trip to the login page: form drafts live in
 * sessionStorage (this tab only, cleared on sign-out). Never use it for secrets.
 */
export function useSessionState<T extends object>(key: string, initial: T): [T, (v: T | ((old: T) => T)) => void, () => void] {
  const storageKey = `kassa.draft.${key}`;
  const [value, setValue] = useState<T>(() => {
    try {
      const raw = sessionStorage.getItem(storageKey);
      return raw ? { ...initial, ...(JSON.parse(raw) as T) } : initial;
    } catch {
      return initial;
    }
  });
  useEffect(() => {
    sessionStorage.setItem(storageKey, JSON.stringify(value));
  }, [storageKey, value]);
  const clear = () => {
    sessionStorage.removeItem(storageKey);
    setValue(initial);
  };
  return [value, setValue, clear];
}
