import { describe, expect, it } from "vitest";
import { isStackforkError } from "../../core/errors.ts";
import { parseSeedItems } from "./parse-seed-items.ts";

describe("parseSeedItems", () => {
  it("reads NDJSON (blank lines skipped) and a JSON array alike", () => {
    expect(parseSeedItems('{"id":"a"}\n\n{"id":"b","n":2}\n', "x.ndjson")).toEqual([{ id: "a" }, { id: "b", n: 2 }]);
    expect(parseSeedItems(' [{"id":"a"},{"id":"b"}]', "x.json")).toEqual([{ id: "a" }, { id: "b" }]);
  });

  it("refuses what is not an object, naming the line, with SEED_FAILED", () => {
    for (const [text, where] of [
      ['{"id":"a"}\nnot json\n', "line 2"],
      ['{"id":"a"}\n[1]\n', "line 2"],
      ['[{"id":"a"}, 3]', "item 2"],
    ] as const) {
      const err = (() => {
        try {
          parseSeedItems(text, "seed/items");
        } catch (e) {
          return e;
        }
      })();
      expect(isStackforkError(err, "SEED_FAILED")).toBe(true);
      expect((err as Error).message).toContain(where);
    }
  });
});
