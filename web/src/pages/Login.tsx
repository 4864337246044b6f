import { Center, Paper, Stack, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useTranslation } from "react-i18next";
import { LoginForm } from "../auth/LoginForm";
import { useSession } from "../auth/session";
import { Loading } from "../components/States";

export function LoginPage() {
  const { t } = useTranslation();
  const { me, loading, refetch } = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get("next");
  const safeNext = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
  if (loading) return <Loading />;
  if (me) return <Navigate to={safeNext} replace />;
  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" w={400} maw="100%">
        <Stack gap="xs" mb="lg">
          <Text fw={800} size="xl" c="teal.8">
            Kassa
          </Text>
          <Title order={1} size="h3">
            {t("login.title")}
          </Title>
        </Stack>
        <main>
          <LoginForm
            onDone={async () => {
              qc.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
              await refetch();
              navigate(safeNext, { replace: true });
            }}
          />
        </main>
      </Paper>
    </Center>
  );
}
