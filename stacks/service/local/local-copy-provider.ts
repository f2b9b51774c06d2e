import { rmdirSync, rmSync } from "node:fs";
import type * as pulumi from "@pulumi/pulumi";
import { copyFiles } from "./copy-files.ts";
import { findFreePort } from "./find-free-port.ts";
import { isCopyAnswering } from "./is-copy-answering.ts";
import { isCopyProcess } from "./is-copy-process.ts";
import { LOCAL_COPY_INPUT_KEYS, type LocalCopyInputs, type LocalCopyOutputs } from "./local-copy-inputs.ts";
import { startCopyProcess } from "./start-copy-process.ts";
import { stopCopyProcess } from "./stop-copy-process.ts";

/**
 * The LocalCopy dynamic resource's real provider. It runs in the engine's dynamic-provider plugin,
 * loaded from the checkout being deployed (see local-copy.ts), so it may import like any module.
 */
export const localCopyProvider = {
  /**
   * Changed inputs (new commit, new code, ...) restart the copy in place. With the same inputs a
   * copy whose process is gone or does not answer (after a machine restart, a crash) is reported
   * changed too, so that `up` restarts it; a healthy one is left alone.
   */
  async diff(_id: string, olds: LocalCopyOutputs, news: LocalCopyInputs): Promise<pulumi.dynamic.DiffResult> {
    const changed = LOCAL_COPY_INPUT_KEYS.filter((key) => olds[key] !== news[key]);
    if (changed.length > 0) return { changes: true, replaces: [] };
    return { changes: !(await isCopyAlive(olds)) };
  },

  async create(inputs: LocalCopyInputs): Promise<pulumi.dynamic.CreateResult<LocalCopyOutputs>> {
    // A copy left running from a stack whose state was lost would hold the store's lock.
    await stopCopyProcess({ dataDir: inputs.dataDir });
    const started = await startCopyProcess(inputs, await findFreePort());
    return { id: inputs.environment, outs: { ...inputs, ...started } };
  },

  /** Stops the old process and starts the new code on the same port, so the URL stays the same. */
  async update(
    _id: string,
    olds: LocalCopyOutputs,
    news: LocalCopyInputs,
  ): Promise<pulumi.dynamic.UpdateResult<LocalCopyOutputs>> {
    await stopCopyProcess(olds);
    const started = await startCopyProcess(news, await findFreePort(olds.port));
    return { outs: { ...news, ...started } };
  },

  /** The environment is gone: stop the process and remove what the copy wrote, nothing else. */
  async delete(_id: string, olds: LocalCopyOutputs): Promise<void> {
    await stopCopyProcess(olds);
    removeCopyFiles(olds.dataDir);
  },
};

async function isCopyAlive(state: LocalCopyOutputs): Promise<boolean> {
  return isCopyProcess(state.pid, state.dataDir) && (await isCopyAnswering(state.url, state));
}

function removeCopyFiles(dataDir: string): void {
  for (const file of Object.values(copyFiles(dataDir))) rmSync(file, { recursive: true, force: true });
  try {
    // Only when empty: whatever else someone keeps there is not ours to remove.
    rmdirSync(dataDir);
  } catch {
    // not empty, or already gone
  }
}
