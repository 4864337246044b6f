import { AppShell, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton, Avatar, Badge, VisuallyHidden } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconLanguage, IconLogout, IconChevronDown } from "@tabler/icons-react";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import { useTranslation } from "react-i18next";
import { useMe, useSession } from "../auth/session";
import { visibleNav, type NavItem } from "../nav";
import { languages, setLanguage } from "../i18n";

export function Shell() {
  const me = useMe();
  const { logout } = useSession();
  const { t, i18n } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const items = visibleNav(me);
  const groups: Array<NavItem["group"]> = ["banking", "admin", "me"];

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        {t("common.skipToContent")}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("nav.menu")} />
            <Text fw={800} size="lg" c="teal.8" component={Link} to="/" style={{ textDecoration: "none" }}>
              Kassa
            </Text>
            <Badge variant="light" color="gray" visibleFrom="xs">
              {t(`kinds.${me.kind}`)}
            </Badge>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton aria-label={t("nav.language")} p={6}>
                  <IconLanguage size={20} />
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                {languages.map((l) => (
                  <Menu.Item key={l.code} onClick={() => setLanguage(l.code)} fw={i18n.language === l.code ? 700 : 400}>
                    {l.label}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton aria-label={t("nav.account")} data-testid="user-menu">
                  <Group gap={6} wrap="nowrap">
                    <Avatar size="sm" color="teal" radius="xl">
                      {me.full_name.slice(0, 1)}
                    </Avatar>
                    <Text size="sm" visibleFrom="sm">
                      {me.full_name}
                    </Text>
                    <IconChevronDown size={14} />
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{me.email}</Menu.Label>
                <Menu.Item component={Link} to="/profile">
                  {t("nav.profile")}
                </Menu.Item>
                <Menu.Item
                  leftSection={<IconLogout size={16} />}
                  onClick={async () => {
                    await logout();
                    navigate("/login");
                  }}
                >
                  {t("nav.signOut")}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t("nav.main")}>
        <ScrollArea>
          <nav>
            {groups.map((g) => {
              const list = items.filter((i) => i.group === g);
              if (!list.length) return null;
              return (
                <div key={g} style={{ marginBottom: 12 }}>
                  <Text size="xs" tt="uppercase" c="dimmed" fw={700} px="sm" py={4}>
                    {t(`nav.group.${g}`)}
                  </Text>
                  {list.map((i) => (
                    <NavLink
                      key={i.to}
                      component={Link}
                      to={i.to}
                      label={t(i.label)}
                      leftSection={<i.icon size={18} stroke={1.6} />}
                      active={location.pathname.startsWith(i.to)}
                      onClick={close}
                      data-section={i.section ?? "me"}
                    />
                  ))}
                </div>
              );
            })}
          </nav>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <VisuallyHidden aria-live="polite">{location.pathname}</VisuallyHidden>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
