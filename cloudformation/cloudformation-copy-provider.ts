import { appendFileSync } from "node:fs";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Stack,
  type StackEvent,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import type * as pulumi from "@pulumi/pulumi";
import {
  type CloudFormationCopyInputs,
  type CloudFormationCopyOutputs,
  UPDATED_BY,
} from "./cloudformation-copy-inputs.ts";
import { consoleUrlOf } from "./console-url-of.ts";
import { providerError } from "./provider-error.ts";
import { EVENT_LOG_VARIABLE } from "./tail-event-log.ts";

// Waits poll every 2-10 s (the SDK's defaults start at 30 s for stacks, far longer than a small
// copy takes); an hour is CloudFormation's own default timeout for a stack operation.
const WAIT = { minDelay: 2, maxDelay: 10, maxWaitTime: 3600 };
const FAILED_CREATE = new Set([
  "ROLLBACK_COMPLETE",
  "ROLLBACK_FAILED",
  "CREATE_FAILED",
  "DELETE_FAILED",
  "REVIEW_IN_PROGRESS",
]);

/**
 * The CloudFormationCopy dynamic resource's real provider, run in the engine's dynamic-provider
 * plugin (inside the job's sandbox, with the job's credentials: the SDK's standard chain).
 *
 * Create is CreateStack, not a change set: nothing exists to compare with, and a stack created
 * from a change set shows no outputs on moto until its first update (the copy's URL is an output).
 * Updates go through a change set, whose changes are logged before it is executed.
 */
export const cloudFormationCopyProvider = {
  async diff(
    _id: string,
    olds: CloudFormationCopyOutputs,
    news: CloudFormationCopyInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const changed = UPDATED_BY.filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
    const replaces = olds.stackName !== news.stackName ? ["stackName"] : [];
    return { changes: changed.length > 0 || replaces.length > 0, replaces, deleteBeforeReplace: true };
  },

  async create(inputs: CloudFormationCopyInputs): Promise<pulumi.dynamic.CreateResult<CloudFormationCopyOutputs>> {
    const client = new CloudFormationClient({});
    const existing = await describeStack(client, inputs.stackName);
    if (existing && FAILED_CREATE.has(existing.StackStatus ?? "")) {
      log(`${inputs.stackName} is ${existing.StackStatus} from an earlier deploy: deleting it to create it again`);
      await deleteStack(client, inputs.stackName);
    } else if (existing && existing.StackStatus !== "DELETE_COMPLETE") {
      // The stack outlived the environment's state (a state lost, a destroy that did not finish): adopt it.
      log(`${inputs.stackName} exists (${existing.StackStatus}): updating it`);
      return { id: existing.StackId ?? inputs.stackName, outs: await updateStack(client, inputs) };
    }
    const since = new Date();
    log(`creating ${inputs.stackName} (CreateStack; capabilities: ${inputs.capabilities.join(", ") || "none"})`);
    let stackId: string | undefined;
    try {
      ({ StackId: stackId } = await client.send(
        new CreateStackCommand({ StackName: inputs.stackName, ...stackRequest(inputs), OnFailure: "ROLLBACK" }),
      ));
    } catch (err) {
      // CloudFormation itself refuses before creating anything; moto creates resources inside the
      // call and answers a resource's failure with that service's own error, leaving the stack
      // half made (CREATE_IN_PROGRESS for ever): it is deleted, so the next deploy starts clean.
      const left = await describeStack(client, inputs.stackName).catch(() => undefined);
      if (left) await client.send(new DeleteStackCommand({ StackName: inputs.stackName })).catch(() => undefined);
      throw providerError("CLOUDFORMATION_FAILED", `CreateStack ${inputs.stackName}: ${reasonOf(err)}`);
    }
    await watch(client, inputs.stackName, since, () =>
      waitUntilStackCreateComplete({ client, ...WAIT }, { StackName: inputs.stackName }),
    );
    const stack = await requireStatus(client, inputs.stackName, since, ["CREATE_COMPLETE"]);
    return { id: stackId ?? inputs.stackName, outs: outsOf(inputs, stack) };
  },

  async update(
    _id: string,
    _olds: CloudFormationCopyOutputs,
    news: CloudFormationCopyInputs,
  ): Promise<pulumi.dynamic.UpdateResult<CloudFormationCopyOutputs>> {
    const client = new CloudFormationClient({});
    const existing = await describeStack(client, news.stackName);
    if (!existing || FAILED_CREATE.has(existing.StackStatus ?? "") || existing.StackStatus === "DELETE_COMPLETE") {
      return { outs: (await cloudFormationCopyProvider.create(news)).outs };
    }
    return { outs: await updateStack(client, news) };
  },

  async delete(_id: string, olds: CloudFormationCopyOutputs): Promise<void> {
    const client = new CloudFormationClient({});
    if (!(await describeStack(client, olds.stackName))) return;
    await deleteStack(client, olds.stackName);
  },
};

function stackRequest(inputs: CloudFormationCopyInputs) {
  return {
    ...(inputs.templateUrl ? { TemplateURL: inputs.templateUrl } : { TemplateBody: inputs.templateBody }),
    Parameters: Object.entries(inputs.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
    Capabilities: inputs.capabilities as ("CAPABILITY_IAM" | "CAPABILITY_NAMED_IAM" | "CAPABILITY_AUTO_EXPAND")[],
    Tags: Object.entries(inputs.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

/** A change set: created, its changes logged, executed and waited on; none to make is success. */
async function updateStack(
  client: CloudFormationClient,
  inputs: CloudFormationCopyInputs,
): Promise<CloudFormationCopyOutputs> {
  const changeSetName = `stackfork-${Date.now()}`;
  log(
    `change set ${changeSetName} for ${inputs.stackName} (capabilities: ${inputs.capabilities.join(", ") || "none"})`,
  );
  try {
    await client.send(
      new CreateChangeSetCommand({
        StackName: inputs.stackName,
        ChangeSetName: changeSetName,
        ChangeSetType: "UPDATE",
        ...stackRequest(inputs),
      }),
    );
  } catch (err) {
    if (isNoChange(err)) return unchanged(client, inputs);
    throw providerError("CLOUDFORMATION_FAILED", `CreateChangeSet ${inputs.stackName}: ${reasonOf(err)}`);
  }
  await waitUntilChangeSetCreateComplete(
    { client, ...WAIT },
    { StackName: inputs.stackName, ChangeSetName: changeSetName },
  ).catch(() => undefined);
  const changeSet = await client.send(
    new DescribeChangeSetCommand({ StackName: inputs.stackName, ChangeSetName: changeSetName }),
  );
  if (changeSet.Status === "FAILED") {
    await client
      .send(new DeleteChangeSetCommand({ StackName: inputs.stackName, ChangeSetName: changeSetName }))
      .catch(() => undefined);
    if (isNoChange(new Error(changeSet.StatusReason ?? ""))) return unchanged(client, inputs);
    throw providerError(
      "CLOUDFORMATION_FAILED",
      `change set for ${inputs.stackName} failed: ${changeSet.StatusReason ?? "no reason given"}`,
    );
  }
  const changes = changeSet.Changes ?? [];
  if (changes.length === 0) log(`change set ${changeSetName}: no resource changes listed`);
  for (const change of changes) {
    const r = change.ResourceChange;
    if (!r) continue;
    const replacement = r.Replacement && r.Replacement !== "False" ? ` (replacement: ${r.Replacement})` : "";
    const scope = r.Scope?.length ? ` [${r.Scope.join(", ")}]` : "";
    log(`will ${r.Action?.toLowerCase() ?? "change"} ${r.LogicalResourceId} (${r.ResourceType})${scope}${replacement}`);
  }
  const since = new Date();
  await client
    .send(new ExecuteChangeSetCommand({ StackName: inputs.stackName, ChangeSetName: changeSetName }))
    .catch((err: unknown) => {
      throw providerError("CLOUDFORMATION_FAILED", `ExecuteChangeSet ${inputs.stackName}: ${reasonOf(err)}`);
    });
  await watch(client, inputs.stackName, since, () =>
    waitUntilStackUpdateComplete({ client, ...WAIT }, { StackName: inputs.stackName }),
  );
  const stack = await requireStatus(client, inputs.stackName, since, ["UPDATE_COMPLETE"]);
  return outsOf(inputs, stack);
}

async function unchanged(
  client: CloudFormationClient,
  inputs: CloudFormationCopyInputs,
): Promise<CloudFormationCopyOutputs> {
  log(`${inputs.stackName}: no updates are to be performed`);
  const stack = await describeStack(client, inputs.stackName);
  if (!stack) throw providerError("CLOUDFORMATION_FAILED", `${inputs.stackName} is gone`);
  return outsOf(inputs, stack);
}

async function deleteStack(client: CloudFormationClient, stackName: string): Promise<void> {
  const since = new Date();
  const before = await describeStack(client, stackName);
  log(`deleting ${stackName}`);
  await client.send(new DeleteStackCommand({ StackName: stackName }));
  // Wait on the id: once deleted, a stack is found by name no more.
  const id = before?.StackId ?? stackName;
  await watch(client, id, since, () => waitUntilStackDeleteComplete({ client, ...WAIT }, { StackName: id }));
  const after = await describeStack(client, id);
  if (after && after.StackStatus !== "DELETE_COMPLETE") {
    const { StackResources = [] } = await client.send(new DescribeStackResourcesCommand({ StackName: id }));
    const left = StackResources.filter((r) => r.ResourceStatus !== "DELETE_COMPLETE").map(
      (r) =>
        `${r.LogicalResourceId} (${r.ResourceType}, ${r.PhysicalResourceId ?? "no physical id"}): ${r.ResourceStatusReason ?? r.ResourceStatus}`,
    );
    throw providerError(
      "CLOUDFORMATION_DELETE_FAILED",
      `${stackName} is ${after.StackStatus}${after.StackStatusReason ? ` (${after.StackStatusReason})` : ""}; resources left:\n${left.join("\n") || "(none listed)"}`,
    );
  }
  log(`${stackName} deleted`);
}

async function describeStack(client: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return Stacks[0];
  } catch (err) {
    if ((err as Error).name === "ValidationError" && /does not exist/.test((err as Error).message)) return undefined;
    throw err;
  }
}

/** After a wait: the stack must be in one of `done`; else the failing resources and their reasons. */
async function requireStatus(
  client: CloudFormationClient,
  stackName: string,
  since: Date,
  done: string[],
): Promise<Stack> {
  const stack = await describeStack(client, stackName);
  if (stack && done.includes(stack.StackStatus ?? "")) return stack;
  const failures = (await eventsSince(client, stackName, since))
    .filter((e) => /FAILED$/.test(e.ResourceStatus ?? "") && e.LogicalResourceId !== stackName)
    .map((e) => `${e.LogicalResourceId} (${e.ResourceType}): ${e.ResourceStatusReason ?? e.ResourceStatus}`);
  throw providerError(
    "CLOUDFORMATION_FAILED",
    `${stackName} is ${stack?.StackStatus ?? "gone"}${stack?.StackStatusReason ? ` (${stack.StackStatusReason})` : ""}${failures.length ? `:\n${failures.join("\n")}` : ""}`,
  );
}

/** Runs `wait` while the stack's new events go to the live log, one line each. */
async function watch(
  client: CloudFormationClient,
  stackName: string,
  since: Date,
  wait: () => Promise<unknown>,
): Promise<void> {
  const seen = new Set<string>();
  const flush = async () => {
    for (const event of await eventsSince(client, stackName, since).catch(() => [])) {
      if (!event.EventId || seen.has(event.EventId)) continue;
      seen.add(event.EventId);
      log(formatEvent(event));
    }
  };
  // Polled every 2 s while waiting; the wait's end cuts the pause short instead of sitting it out.
  let waiting = true;
  let wake = () => {};
  const streaming = (async () => {
    while (waiting) {
      await flush();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  try {
    await wait().catch(() => undefined); // the status read after the wait says what went wrong
  } finally {
    waiting = false;
    wake();
    await streaming;
    await flush();
  }
}

async function eventsSince(client: CloudFormationClient, stackName: string, since: Date): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken }));
    const fresh = (page.StackEvents ?? []).filter((e) => (e.Timestamp?.getTime() ?? 0) >= since.getTime() - 1000);
    events.push(...fresh);
    // Newest first: a page that reaches before `since` is the last one needed.
    NextToken = fresh.length === (page.StackEvents ?? []).length ? page.NextToken : undefined;
  } while (NextToken);
  return events.reverse();
}

function formatEvent(e: StackEvent): string {
  const reason = e.ResourceStatusReason ? `: ${e.ResourceStatusReason}` : "";
  return `${e.Timestamp?.toISOString() ?? ""} ${e.LogicalResourceId} ${e.ResourceType} ${e.ResourceStatus}${reason}`;
}

function outsOf(inputs: CloudFormationCopyInputs, stack: Stack): CloudFormationCopyOutputs {
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]));
  const stackId = stack.StackId ?? inputs.stackName;
  return { ...inputs, stackId, outputs, consoleUrl: consoleUrlOf(stackId) };
}

/**
 * An AWS error's reason. moto answers some CloudFormation calls with another service's JSON error
 * body, which the SDK cannot parse as the query protocol's XML: its text is on `$responseBodyText`.
 */
function reasonOf(err: unknown): string {
  const text = (err as { $responseBodyText?: string }).$responseBodyText;
  if (text?.trimStart().startsWith("{")) {
    try {
      const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
      return `${body.__type ? `${body.__type}: ` : ""}${body.message ?? body.Message ?? text}`;
    } catch {
      return text;
    }
  }
  return (err as Error).message;
}

function isNoChange(err: unknown): boolean {
  return /No updates are to be performed|didn't contain changes|does not contain changes/i.test(
    (err as Error).message ?? "",
  );
}

/** One line into the environment's live log (the runner tails this file), and stderr otherwise. */
function log(line: string): void {
  const file = process.env[EVENT_LOG_VARIABLE];
  const text = `cloudformation: ${line.replace(/\r?\n/g, " | ")}\n`;
  if (file) appendFileSync(file, text);
  else process.stderr.write(text);
}
