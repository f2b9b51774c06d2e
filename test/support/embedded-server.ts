import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { HistoryEvent } from "../../core/history-event.ts";
// The Environment JSON as the API shows it: `url` routed for local copies, `directUrl` the copy's own.
import type { PresentedEnvironment as Environment } from "../../preview-router/create-preview-addresses.ts";
import { processesMentioning } from "./stack-state.ts";
import { type Delivery, signDelivery } from "./webhook-deliveries.ts";

const root = path.resolve(import.meta.dirname, "../..");
export const WEBHOOK_SECRET = "e2e-webhook-secret";
export const API_TOKEN = "e2e-api-token";

export interface EmbeddedServerOptions {
  dataDir: string;
  repositories: Record<string, unknown>[];
  extraConfig?: Record<string, unknown>;
  /** More environment variables (STACKFORK_STORE=aws and its URLs, say). */
  env?: Record<string, string>;
}

/**
 * `stackfork serve` as a real child process on a free port, exactly as `npm start` runs it, so that
 * tests can also kill it (-9) and start it again on the same data dir.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions) {
  const configFile = path.join(options.dataDir, "..", `${path.basename(options.dataDir)}.config.json`);
  writeFileSync(configFile, JSON.stringify({ repositories: options.repositories, ...options.extraConfig }));
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "cli/stackfork.ts"), "serve"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      STACKFORK_DATA_DIR: options.dataDir,
      STACKFORK_CONFIG: configFile,
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STACKFORK_API_TOKEN: API_TOKEN,
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = output.join("").match(/serving on (http:\/\/\S+)/);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("exit", (code) => reject(new Error(`server exited with ${code} before listening:\n${output.join("")}`)));
  });
  return createServerHandle(child, baseUrl, output);
}

function createServerHandle(child: ChildProcess, baseUrl: string, output: string[]) {
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const api = async <T>(route: string): Promise<T> => {
    // With the token: reads are closed when people sign in with GitHub (each sees their own).
    const response = await fetch(`${baseUrl}${route}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    if (!response.ok) throw new Error(`${route}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    baseUrl,
    output,
    async deliver(event: string, payload: Record<string, unknown>, deliveryId?: string) {
      const delivery: Delivery = await signDelivery(WEBHOOK_SECRET, event, payload, deliveryId);
      const response = await fetch(`${baseUrl}/webhooks/github`, {
        method: "POST",
        headers: delivery.headers,
        body: delivery.body,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    environment: (id: string) =>
      api<Environment & { events: HistoryEvent[] }>(`/api/environments/${encodeURIComponent(id)}`),
    environments: () => api<{ environments: Environment[] }>("/api/environments?includeDestroyed=true"),
    /** Waits (polling the API) until the environment satisfies `done`; fails with its history otherwise. */
    async waitFor(id: string, done: (env: Environment & { events: HistoryEvent[] }) => boolean, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      let last: (Environment & { events: HistoryEvent[] }) | undefined;
      while (Date.now() < deadline) {
        last = await api<Environment & { events: HistoryEvent[] }>(`/api/environments/${encodeURIComponent(id)}`).catch(
          () => undefined,
        );
        if (last && done(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(
        `environment ${id} did not get there in time; last seen:\n${JSON.stringify(last, null, 2)}\nserver output:\n${output.join("").slice(-4000)}`,
      );
    },
    exitCode: () => child.exitCode,
    /** Waits until no process mentions `needle` any more (a stopped copy may take a moment). */
    async waitUntilGone(needle: string, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (processesMentioning(needle).length > 0) {
        if (Date.now() > deadline)
          throw new Error(`processes still running: ${processesMentioning(needle).join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export type EmbeddedServer = Awaited<ReturnType<typeof startEmbeddedServer>>;
