import type { ComponentType } from "react";
import {
  IconActivity, IconArrowsExchange, IconBuilding, IconChecklist, IconFileSearch, IconInbox, IconKey, IconMessage,
  IconShieldLock, IconUserCircle, IconUsers, IconWallet,
} from "@tabler/icons-react";
import type { Me } from "./auth/session";
import { can } from "./auth/session";

export interface NavItem {
  to: string;
  label: string; // message key
  icon: ComponentType<{ size?: number; stroke?: number }>;
  section?: string; // shown only with at least `read` on this section
  level?: "read" | "write" | "approve";
  kinds?: Array<Me["kind"]>; // limited to these kinds of user
  group: "banking" | "admin" | "me";
}

// Later modules (payments, analytics, products, partners) add their pages here.
export const NAV: NavItem[] = [
  { to: "/accounts", label: "nav.accounts", icon: IconWallet, section: "accounts", kinds: ["individual", "business"], group: "banking" },
  { to: "/transfer", label: "nav.transfer", icon: IconArrowsExchange, section: "accounts", level: "write", kinds: ["individual", "business"], group: "banking" },
  { to: "/feedback", label: "nav.feedback", icon: IconMessage, section: "support", kinds: ["individual", "business", "partner"], group: "banking" },
  { to: "/support/inbox", label: "nav.feedbackInbox", icon: IconInbox, section: "support", kinds: ["staff"], group: "admin" },
  { to: "/admin/users", label: "nav.users", icon: IconUsers, section: "admin", group: "admin" },
  { to: "/admin/organisations", label: "nav.organisations", icon: IconBuilding, section: "admin", kinds: ["staff"], group: "admin" },
  { to: "/admin/roles", label: "nav.roles", icon: IconShieldLock, section: "admin", kinds: ["staff"], group: "admin" },
  { to: "/admin/api-keys", label: "nav.apiKeys", icon: IconKey, section: "admin", group: "admin" },
  { to: "/admin/approvals", label: "nav.approvals", icon: IconChecklist, section: "admin", kinds: ["staff"], group: "admin" },
  { to: "/monitoring", label: "nav.monitoring", icon: IconActivity, section: "monitoring", group: "admin" },
  { to: "/audit", label: "nav.audit", icon: IconFileSearch, section: "audit", group: "admin" },
  { to: "/profile", label: "nav.profile", icon: IconUserCircle, group: "me" },
];

export function visibleNav(me: Me): NavItem[] {
  return NAV.filter(
    (n) => (!n.section || can(me, n.section, n.level ?? "read")) && (!n.kinds || n.kinds.includes(me.kind)),
  );
}

export function homePath(me: Me): string {
  const first = visibleNav(me).find((n) => n.group !== "me");
  return first?.to ?? "/profile";
}
