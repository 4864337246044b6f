import { useTranslation } from "react-i18next";
import { formatMoney } from "../lib/money";

export function Money({ minor, currency, signed, ...rest }: { minor: number; currency: string; signed?: boolean } & React.HTMLAttributes<HTMLSpanElement>) {
  const { i18n } = useTranslation();
  const color = signed ? (minor < 0 ? "var(--mantine-color-red-7)" : minor > 0 ? "var(--mantine-color-teal-8)" : undefined) : undefined;
  return (
    <span className="num" style={{ color }} {...rest}>
      {formatMoney(minor, currency, i18n.language, { signDisplay: signed ? "exceptZero" : "auto" })}
    </span>
  );
}
