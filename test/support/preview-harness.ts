import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { LookupFunction } from "node:net";
import { buildServer } from "../../app/build-server.ts";
import type { RepositoryConfig } from "../../core/repository-config.ts";
import { createEnvironmentActions } from "../../dashboard/create-environment-actions.ts";
import { createPreviewAddresses } from "../../preview-router/create-preview-addresses.ts";
import { createPreviewRouter } from "../../preview-router/create-preview-router.ts";
import { createPreviewServerFactory } from "../../preview-router/create-preview-server-factory.ts";
import { createShareLinks } from "../../preview-router/create-share-links.ts";
import type { JobQueue } from "../../queue/job-queue.ts";
import type { Registry } from "../../registry/registry.ts";

export const PREVIEW_API_TOKEN = "preview-test-token";

export interface PreviewHarnessOptions {
  registry: Registry;
  queue: JobQueue;
  repositories: Pick<RepositoryConfig, "name" | "previewAccess">[];
  now: () => Date;
  previewDomain?: string;
}

/**
 * The dashboard app with the preview router in front, as `stackfork serve` wires them, listening on
 * a real loopback port: requests carry the Host a browser would send (`<name>.localhost:<port>`).
 */
export async function startPreviewHarness(options: PreviewHarnessOptions) {
  const addresses = createPreviewAddresses({ domain: options.previewDomain ?? "localhost", port: 0 });
  const shareLinks = createShareLinks({
    apiToken: PREVIEW_API_TOKEN,
    registry: options.registry,
    addresses,
    now: options.now,
  });
  let dashboardUrl = "";
  const router = await createPreviewRouter({
    registry: options.registry,
    addresses,
    shareLinks,
    accessOf: (repository) => options.repositories.find((r) => r.name === repository)?.previewAccess ?? "public",
    dashboardUrl: () => dashboardUrl,
    logger: false,
  });
  await router.ready();
  const repositories = options.repositories.map((r) => ({
    stackPath: "stacks/service",
    defaultBranch: "main",
    target: "local" as const,
    ttlHours: 72,
    ...r,
  }));
  const app = await buildServer({
    registry: options.registry,
    logger: false,
    isReady: () => true,
    serverFactory: createPreviewServerFactory(router, { domain: addresses.domain }),
    intake: {
      registry: options.registry,
      queue: options.queue,
      nameMaxLength: 40,
      webhookSecrets: ["preview-webhook-secret"],
      findRepository: () => undefined,
      now: options.now,
    },
    dashboard: {
      apiToken: PREVIEW_API_TOKEN,
      readsOpen: true,
      listen: { host: "127.0.0.1" },
      actions: createEnvironmentActions({
        registry: options.registry,
        queue: options.queue,
        nameMaxLength: 40,
        repositories,
        uploads: { dir: "/nonexistent", maxBytes: 0, maxEntries: 0 },
        now: options.now,
      }),
      repositories,
      uploadMaxBytes: 0,
      presentEnvironment: addresses.present,
      shareLinks,
      now: options.now,
    },
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  addresses.setPort(port);
  dashboardUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    router,
    port,
    addresses,
    shareLinks,
    dashboardUrl,
    previewHost: (name: string) => `${name}.${addresses.domain}:${port}`,
    async close() {
      // The test is done with the browser's keep-alive connections: closing waits for none of them.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await router.close();
    },
  };
}

export type PreviewHarness = Awaited<ReturnType<typeof startPreviewHarness>>;

/** Every name resolves to loopback, as Chromium resolves `*.localhost` (Node's resolver does not). */
export const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
  else callback(null, "127.0.0.1", 4);
};

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request by URL, names resolved to loopback, nothing added or followed (no redirects). */
export function requestUrl(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: init.method ?? "GET", headers: init.headers, lookup: loopbackLookup });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(init.body);
  });
}
