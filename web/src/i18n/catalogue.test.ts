import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import en from "./en";
import fi from "./fi";
import ru from "./ru";
import zh from "./zh";

function keys(obj: object, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === "object" ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) && !f.includes(".test.") ? [p] : [];
  });
}

describe("message catalogues", () => {
  const english = new Set(keys(en));
  it("every static t('...') key used in the app exists in English", () => {
    const missing: string[] = [];
    for (const f of files(join(__dirname, ".."))) {
      const src = readFileSync(f, "utf8");
      for (const m of src.matchAll(/\bt\("([a-zA-Z]+\.[a-zA-Z0-9_.]+)"/g)) if (!english.has(m[1])) missing.push(`${f}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });
  it("other languages only translate keys that English has", () => {
    for (const cat of [fi, ru, zh]) for (const k of keys(cat)) expect(english.has(k)).toBe(true);
  });
});
