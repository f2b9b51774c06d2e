import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serveCopy } from "./serve-copy.ts";

// A real HTTP server on a free port, a real dynalite with its files under the data dir.
describe("serveCopy", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "stackfork-serve-copy-"));
  const env = {
    TABLE_NAME: "shop-main-items",
    STACKFORK_ENVIRONMENT: "shop-main",
    STACKFORK_REPOSITORY: "acme/shop",
    STACKFORK_BRANCH: "main",
    STACKFORK_COMMIT: "abc1234",
    STACKFORK_OWNER: "octocat",
  };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("serves the handler over HTTP as API Gateway would, and keeps items across restarts", async () => {
    const first = await serveCopy({ dataDir, port: 0, env });
    let id: string;
    try {
      expect(first.url).toBe(`http://127.0.0.1:${first.port}`);
      const described = await fetch(`${first.url}/`);
      expect(await described.json()).toEqual({
        environment: "shop-main",
        repository: "acme/shop",
        branch: "main",
        commit: "abc1234",
        owner: "octocat",
      });
      const created = await fetch(`${first.url}/items?ignored=1`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "kept" }),
      });
      expect(created.status).toBe(201);
      id = ((await created.json()) as { id: string }).id;
      const bad = await fetch(`${first.url}/items`, { method: "POST", body: "{" });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: "INVALID_JSON" });
    } finally {
      await first.close();
    }

    const second = await serveCopy({ dataDir, port: first.port, env });
    try {
      expect(second.url).toBe(first.url);
      const read = await fetch(`${second.url}/items/${id}`);
      expect(await read.json()).toMatchObject({ id, name: "kept" });
    } finally {
      await second.close();
    }
  });

  it("refuses to start without the handler's variables", async () => {
    await expect(serveCopy({ dataDir, port: 0, env: {} })).rejects.toThrow(/TABLE_NAME/);
  });
});
