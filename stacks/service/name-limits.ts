// The platform's naming contract, restated here because a stack project lives in its own repository
// and cannot import the platform: environment names are at most 40 characters and every resource
// suffix at most 22, so `<environment>-<suffix>` fits S3 / DNS labels (63) and IAM / Lambda (64).
// name-limits.test.ts checks these against the platform's own values.
export const ENVIRONMENT_NAME_MAX_LENGTH = 40;
export const RESOURCE_SUFFIX_MAX_LENGTH = 22;
