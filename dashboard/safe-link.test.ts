import { describe, expect, it } from "vitest";
import { safeLink } from "./safe-link.ts";

describe("safeLink", () => {
  it("links http(s) only", () => {
    expect(safeLink("javascript:alert(1)")).toBeUndefined();
    expect(safeLink("data:text/html,x")).toBeUndefined();
    expect(safeLink("not a url")).toBeUndefined();
    expect(safeLink("https://preview.example/x")?.href).toBe("https://preview.example/x");
  });

  it("masks passwords and secret-looking query values, and keeps the rest", () => {
    const link = safeLink("https://user:hunter2@x.example/p?token=abc&X-Amz-Signature=def&page=2");
    expect(link?.href).not.toContain("hunter2");
    expect(link?.href).not.toContain("abc");
    expect(link?.href).not.toContain("def");
    expect(link?.href).toContain("page=2");
    expect(link?.href).toContain("user:");
  });
});
