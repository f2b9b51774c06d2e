import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoClient } from "../handler/create-dynamo-client.ts";
import type { HttpEvent, HttpResult } from "../handler/http-event.ts";
import { ensureTable } from "../local/ensure-table.ts";
import { type RunningDynalite, startDynalite } from "../local/start-dynalite.ts";
import { buildHttpEvent } from "../testing/build-http-event.ts";
import { BUNDLED_HANDLER, bundleHandler } from "./bundle-handler.ts";

const entry = fileURLToPath(new URL("../handler/lambda-handler.ts", import.meta.url));

// The archive Lambda gets, run the way Lambda runs it: loaded from a directory with no node_modules.
describe("bundleHandler", () => {
  let dynalite: RunningDynalite;
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dynalite = await startDynalite();
    await ensureTable(createDynamoClient({ endpoint: dynalite.endpoint }), "shop-main-items");
    dir = mkdtempSync(path.join(tmpdir(), "stackfork-bundle-"));
  });
  afterAll(async () => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
    await dynalite.close();
  });

  it("gives the same archive every time, so an unchanged handler is not redeployed", async () => {
    const [a, b] = await Promise.all([bundleHandler(entry), bundleHandler(entry)]);
    expect(await readBundle(a)).toBe(await readBundle(b));
  });

  it("bundles a self-contained handler that answers through the AWS SDK", async () => {
    const file = path.join(dir, "task", "index.js");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, await readBundle(await bundleHandler(entry)));
    Object.assign(process.env, {
      TABLE_NAME: "shop-main-items",
      STACKFORK_ENVIRONMENT: "shop-main",
      STACKFORK_REPOSITORY: "acme/shop",
      STACKFORK_BRANCH: "main",
      STACKFORK_COMMIT: "abc1234",
      DYNAMODB_ENDPOINT: dynalite.endpoint,
    });
    const [moduleName, exportName] = BUNDLED_HANDLER.split(".") as [string, string];
    const handler: (event: HttpEvent) => Promise<HttpResult> = createRequire(file)(`./${moduleName}.js`)[exportName];

    const described = await handler(buildHttpEvent("GET", "/"));
    expect(JSON.parse(described.body ?? "")).toMatchObject({ environment: "shop-main", commit: "abc1234" });
    const created = await handler(buildHttpEvent("POST", "/items", { body: JSON.stringify({ name: "bundled" }) }));
    expect(created.statusCode).toBe(201);
    const listed = await handler(buildHttpEvent("GET", "/items"));
    expect(JSON.parse(listed.body ?? "")).toMatchObject({ items: [{ name: "bundled" }] });
  });
});

async function readBundle(archive: pulumi.asset.AssetArchive): Promise<string> {
  const assets = await archive.assets;
  const asset = assets["index.js"] as pulumi.asset.StringAsset;
  return (await asset.text) as string;
}
