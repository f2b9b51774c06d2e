import { expect, it } from "vitest";
import * as platform from "../../core/environment-name.ts";
import { ENVIRONMENT_NAME_MAX_LENGTH, RESOURCE_SUFFIX_MAX_LENGTH } from "./name-limits.ts";

it("restates the platform's naming limits exactly", () => {
  expect({ ENVIRONMENT_NAME_MAX_LENGTH, RESOURCE_SUFFIX_MAX_LENGTH }).toEqual({
    ENVIRONMENT_NAME_MAX_LENGTH: platform.ENVIRONMENT_NAME_MAX_LENGTH,
    RESOURCE_SUFFIX_MAX_LENGTH: platform.RESOURCE_SUFFIX_MAX_LENGTH,
  });
});
