import { Alert } from "@mantine/core";
import { useTranslation } from "react-i18next";

export function NotAllowed() {
  const { t } = useTranslation();
  return (
    <Alert color="orange" title={t("common.notAllowedTitle")} role="alert" data-testid="not-allowed">
      {t("common.notAllowed")}
    </Alert>
  );
}

export function NotFound() {
  const { t } = useTranslation();
  return <Alert color="gray" title={t("common.notFoundTitle")}>{t("common.notFound")}</Alert>;
}
