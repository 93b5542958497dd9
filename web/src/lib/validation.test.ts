import { describe, expect, it } from "vitest";
import { parseDecimal, validateCredentials, validateHolding } from "./validation";

describe("validateCredentials", () => {
  it("requires a valid email and a long enough password to register", () => {
    expect(
      validateCredentials(
        { email: "nope", password: "short", confirm: "x" },
        { registering: true },
      ),
    ).toEqual({
      email: "Enter a valid email address.",
      password: "Use at least 8 characters.",
      confirm: "Passwords do not match.",
    });
  });
  it("accepts good input", () => {
    expect(
      validateCredentials(
        { email: "ada@example.com", password: "long enough", confirm: "long enough" },
        { registering: true },
      ),
    ).toEqual({});
  });
  it("does not apply the length rule to logins", () => {
    expect(
      validateCredentials({ email: "ada@example.com", password: "short" }, { registering: false }),
    ).toEqual({});
  });
});

describe("parseDecimal", () => {
  it("normalises what people type", () => {
    expect(parseDecimal("1,000.25")).toBe("1000.25");
    expect(parseDecimal(".5")).toBe("0.5");
  });
  it("refuses zero unless allowed, negatives, junk and too many digits", () => {
    expect(parseDecimal("0")).toBeNull();
    expect(parseDecimal("0", { allowZero: true })).toBe("0");
    expect(parseDecimal("-1")).toBeNull();
    expect(parseDecimal("1e5")).toBeNull();
    expect(parseDecimal("0.1234567890123456789")).toBeNull();
  });
});

describe("validateHolding", () => {
  it("names every bad field", () => {
    expect(
      Object.keys(validateHolding({ coinId: "", quantity: "0", buyPrice: "x", notes: "" })),
    ).toEqual(["coinId", "quantity", "buyPrice"]);
  });
});
