// vitest setup file of the suites without the AWS emulator (vitest.config.ts): any AWS call is
// refused on a closed loopback port, never sent to a real account.
process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:9";
process.env.AWS_REGION = "us-east-1";
process.env.AWS_ACCESS_KEY_ID = "testing";
process.env.AWS_SECRET_ACCESS_KEY = "testing";
delete process.env.AWS_PROFILE;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
