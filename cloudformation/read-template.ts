import { type CollectionTag, parse as parseYaml, type ScalarTag, YAMLMap, YAMLSeq } from "yaml";
import { StackforkError } from "../core/errors.ts";

/** A CloudFormation template as data: JSON's shape, whatever it was written in. */
export type Template = {
  Transform?: unknown;
  Parameters?: Record<string, { Type?: string; Default?: unknown; NoEcho?: unknown } & Record<string, unknown>>;
  Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> } & Record<string, unknown>>;
  Outputs?: Record<string, unknown>;
} & Record<string, unknown>;

// The short forms of the intrinsic functions (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html):
// `!X value` is `{ "Fn::X": value }`, but for Ref and Condition, and GetAtt's `A.B` string form.
const FUNCTIONS = [
  "And",
  "Base64",
  "Cidr",
  "Equals",
  "FindInMap",
  "GetAZs",
  "If",
  "ImportValue",
  "Join",
  "Length",
  "Not",
  "Or",
  "Select",
  "Split",
  "Sub",
  "ToJsonString",
  "Transform",
  "GetAtt",
];

function intrinsic(name: string, value: unknown): Record<string, unknown> {
  if (name === "Ref" || name === "Condition") return { [name]: value };
  if (name === "GetAtt" && typeof value === "string") {
    const dot = value.indexOf(".");
    return { "Fn::GetAtt": dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

function tagsOf(name: string): (ScalarTag | CollectionTag)[] {
  const tag = `!${name}`;
  return [
    { tag, resolve: (value: string) => intrinsic(name, value) } as ScalarTag,
    {
      tag,
      collection: "seq",
      nodeClass: YAMLSeq,
      resolve: (seq: YAMLSeq) => intrinsic(name, seq.toJSON()),
    } as unknown as CollectionTag,
    {
      tag,
      collection: "map",
      nodeClass: YAMLMap,
      resolve: (map: YAMLMap) => intrinsic(name, map.toJSON()),
    } as unknown as CollectionTag,
  ];
}

const customTags = ["Ref", "Condition", ...FUNCTIONS].flatMap(tagsOf);

/**
 * Reads a template written in JSON or YAML with CloudFormation's short tags (`!Ref`, `!Sub`,
 * `!GetAtt A.B`...), into the JSON shape CloudFormation takes as a body.
 */
export function readTemplate(text: string, file: string): Template {
  let value: unknown;
  try {
    value = text.trimStart().startsWith("{")
      ? JSON.parse(text)
      : parseYaml(text, { customTags, uniqueKeys: true, maxAliasCount: 1000, version: "1.1" });
  } catch (err) {
    throw new StackforkError("TEMPLATE_INVALID", `${file}: not a CloudFormation template (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new StackforkError("TEMPLATE_INVALID", `${file}: not a CloudFormation template (not a mapping)`);
  const template = value as Template;
  if (!template.Resources || typeof template.Resources !== "object")
    throw new StackforkError("TEMPLATE_INVALID", `${file}: a template needs a Resources section`);
  return template;
}
