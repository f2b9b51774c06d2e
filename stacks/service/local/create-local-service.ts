import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../physical-name.ts";
import type { ServiceConfig } from "../read-service-config.ts";
import { hashServiceCode } from "./hash-service-code.ts";
import { LocalCopy } from "./local-copy.ts";

export interface LocalService {
  url: pulumi.Output<string>;
  /** The copy's items table (dynalite, inside the copy's process). */
  tableName: string;
  copy: LocalCopy;
}

/**
 * The local target: one LocalCopy running the code of this checkout. Its files are found from this
 * module's own location, never from the working directory, since every branch deploys from its own
 * checkout.
 */
export function createLocalService(config: ServiceConfig & { target: "local" }): LocalService {
  const localDir = path.dirname(fileURLToPath(import.meta.url));
  const tableName = physicalName(config.environment, "items", 255);
  const copy = new LocalCopy("copy", {
    providerModule: path.join(localDir, "local-copy-provider.ts"),
    serveEntry: path.join(localDir, "run-copy.ts"),
    codeHash: hashServiceCode(path.dirname(localDir)),
    dataDir: config.dataDir,
    // The same name the aws target gives its table (DynamoDB allows 255 characters).
    tableName,
    environment: config.environment,
    repository: config.repository,
    branch: config.branch,
    commit: config.commit,
    owner: config.owner,
  });
  return { url: copy.url, tableName, copy };
}
