// The generated client must match the back end's current OpenAPI document: this fails when
// the API changed and web/src/api/schema.d.ts was not regenerated (npm run gen:api).
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

describe("generated API client", () => {
  it("is up to date with the OpenAPI document", () => {
    const web = resolve(__dirname, "../..");
    const out = execFileSync(process.execPath, ["scripts/gen-api.mjs", "--check"], { cwd: web, encoding: "utf8" });
    expect(out).toContain("up to date");
  }, 60_000);
});
