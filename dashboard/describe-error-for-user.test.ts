import { describe, expect, it } from "vitest";
import { errorCatalogue, StackforkError } from "../core/errors.ts";
import { describeErrorForUser } from "./describe-error-for-user.ts";

describe("describeErrorForUser", () => {
  it("shows the message of a code marked visible, whatever its status", () => {
    const quota = new StackforkError("QUOTA_EXCEEDED", "octocat already has 2 sandboxes");
    expect(describeErrorForUser(quota)).toEqual({ status: 409, code: "QUOTA_EXCEEDED", message: quota.message });
    const failed = new StackforkError("DEPLOY_FAILED", "the update failed: see the log");
    expect(describeErrorForUser(failed)).toEqual({ status: 500, code: "DEPLOY_FAILED", message: failed.message });
  });

  it("shows only the catalogue's summary for a code not marked visible, whatever its status", () => {
    const lease = new StackforkError("LEASE_LOST", "job j-1 taken by worker@build-17.internal");
    expect(describeErrorForUser(lease)).toEqual({
      status: 409,
      code: "LEASE_LOST",
      message: errorCatalogue.LEASE_LOST.summary,
    });
    const denied = new StackforkError("AWS_ACCESS_DENIED", "arn:aws:iam::123456789012:role/x is not authorized");
    expect(describeErrorForUser(denied)).toMatchObject({
      status: 500,
      message: errorCatalogue.AWS_ACCESS_DENIED.summary,
    });
  });

  it("shows fastify's own request errors, and nothing of any other error", () => {
    const validation = Object.assign(new Error("body/owner must match pattern"), { statusCode: 400, validation: [] });
    expect(describeErrorForUser(validation)).toEqual({
      status: 400,
      code: "INVALID_INPUT",
      message: validation.message,
    });
    const tooLarge = Object.assign(new Error("Request body is too large"), {
      statusCode: 413,
      code: "FST_ERR_CTP_BODY_TOO_LARGE",
    });
    expect(describeErrorForUser(tooLarge)).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE" });
    const crash = new Error("ENOENT: /var/lib/stackfork/secrets/api-token");
    expect(describeErrorForUser(crash)).toEqual({
      status: 500,
      code: "INTERNAL",
      message: errorCatalogue.INTERNAL.summary,
    });
    expect(describeErrorForUser("a string")).toMatchObject({ status: 500, code: "INTERNAL" });
  });
});
