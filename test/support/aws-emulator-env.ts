// vitest setup file (every test file): the AWS SDK's standard chain points at the run's emulator, as
// AWS_ENDPOINT_URL would in production against LocalStack or moto. Child processes (stackfork serve)
// inherit it.
import { inject } from "vitest";

process.env.AWS_ENDPOINT_URL = inject("awsEndpoint");
process.env.AWS_REGION = "us-east-1";
process.env.AWS_ACCESS_KEY_ID = "testing";
process.env.AWS_SECRET_ACCESS_KEY = "testing";
delete process.env.AWS_PROFILE;
// The SDK's notice that its releases after January 2027 need Node 22 (README, "Quick start"), once
// per process, in every test file and child: said once in the README instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
