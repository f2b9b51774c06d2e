import { describe, expect, it } from "vitest";
import { findRefProblem } from "./find-ref-problem.ts";

describe("findRefProblem", () => {
  it("accepts branch names and commits git accepts", () => {
    for (const ref of ["main", "feature/login", "fix_1.2", "a".repeat(40), "release/v1.0", "ünïcode"]) {
      expect(findRefProblem(ref), ref).toBeUndefined();
    }
  });

  it("refuses what git refuses, and what could read as an option", () => {
    for (const ref of [
      "",
      "-x",
      "--upload-pack=evil",
      "a..b",
      "a b",
      "a~1",
      "a^",
      "a:b",
      "a?",
      "a*",
      "a[",
      "a\\b",
      "/a",
      "a/",
      "a.",
      "a.lock",
      "a//b",
      "a@{1}",
      ".hidden",
      "a/.b",
      "x".repeat(256),
    ]) {
      expect(findRefProblem(ref), ref).toEqual(expect.any(String));
    }
  });
});
