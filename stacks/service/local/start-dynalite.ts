import type { AddressInfo } from "node:net";
import dynalite from "dynalite";

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>`: what the handler gets as DYNAMODB_ENDPOINT. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * A DynamoDB-compatible store on a free loopback port, its LevelDB files in `dir` (in memory when
 * absent). Tables become ACTIVE at once instead of after dynalite's default 500 ms.
 */
export async function startDynalite(dir?: string): Promise<RunningDynalite> {
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // dynalite's close also closes its LevelDB, releasing the directory's lock for the next process.
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
