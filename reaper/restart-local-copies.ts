import { identityOf } from "../core/identity-of.ts";
import type { Logger } from "../core/logger.ts";
import type { RepositoryConfig } from "../core/repository-config.ts";
import { type SubmitIntentDeps, submitIntent } from "../intake/submit-intent.ts";
import { eachEnvironment } from "../registry/each-environment.ts";
import type { Registry } from "../registry/registry.ts";
import { PROBE_HEADER } from "../stacks/service/local/is-copy-answering.ts";

export interface RestartLocalCopiesDeps extends SubmitIntentDeps {
  registry: Registry;
  findRepository: (fullName: string) => RepositoryConfig | undefined;
  /** Whether a copy answers at its URL (any HTTP answer counts). */
  isAnswering: (url: string) => Promise<boolean>;
  log: Logger;
  now: () => Date;
}

/**
 * At start: a `ready` local copy whose process is gone (the machine restarted, someone killed it)
 * would show as ready with a dead URL. Redeploy its commit: the engine notices the dead process and
 * starts it again (stacks/service/local). AWS copies do not die with this machine and are left alone.
 * Returns the environments it queued.
 */
export async function restartLocalCopies(deps: RestartLocalCopiesDeps): Promise<string[]> {
  const queued: string[] = [];
  for await (const environment of eachEnvironment(deps.registry, { status: "ready" })) {
    if (deps.findRepository(environment.repository)?.target !== "local") continue;
    if (!environment.url || !environment.commitSha || (await deps.isAnswering(environment.url))) continue;
    const result = await submitIntent(
      deps,
      {
        type: "deploy",
        identity: identityOf(environment),
        commitSha: environment.commitSha,
        cause: { actor: "stackfork", message: "reconcile at start: the copy was not answering at its URL" },
      },
      deps.now(),
    );
    if (result.outcome === "queued") queued.push(environment.id);
  }
  if (queued.length > 0) deps.log.info({ environments: queued }, "copies not answering: redeploying them");
  return queued;
}

/** Any HTTP answer within the timeout means the copy's process is up; marked as stackfork's own, not the copy's traffic. */
export async function isUrlAnswering(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    await fetch(url, { headers: { [PROBE_HEADER]: "1" }, signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}
