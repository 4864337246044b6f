// Every user-visible text comes from a message catalogue. English is complete; Finnish,
// Russian and Chinese catalogues have the same shape and fall back to English for any
// message not translated yet. Add a language: copy en.ts's keys into <code>.ts, register it
// in `resources` and `languages` below.
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en";
import fi from "./fi";
import ru from "./ru";
import zh from "./zh";

export const languages = [
  { code: "en", label: "English" },
  { code: "fi", label: "Suomi" },
  { code: "ru", label: "Русский" },
  { code: "zh", label: "中文" },
] as const;

const stored = typeof localStorage !== "undefined" ? localStorage.getItem("kassa.lang") : null;

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, fi: { translation: fi }, ru: { translation: ru }, zh: { translation: zh } },
  lng: stored ?? "en",
  fallbackLng: "en",
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(code: string) {
  localStorage.setItem("kassa.lang", code);
  void i18n.changeLanguage(code);
  document.documentElement.lang = code;
}

/** The locale used for numbers, money and dates: the UI language. */
export function currentLocale(): string {
  return i18n.language || "en";
}

export default i18n;
