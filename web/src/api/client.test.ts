import { describe, expect, it, vi } from "vitest";
import { ApiError, buildUrl, createClient, errorMessage } from "./client";

// A miniature `paths` in the shape openapi-typescript generates.
interface TestPaths {
  "/api/v1/coins": {
    get: {
      parameters: { query?: { search?: string; page?: number }; path?: never };
      responses: { 200: { content: { "application/json": { data: string[]; count: number } } } };
    };
  };
  "/api/v1/coins/{coin_id}": {
    get: {
      parameters: { path: { coin_id: string } };
      responses: { 200: { content: { "application/json": { coin_id: string } } } };
    };
  };
  "/api/v1/portfolio/holdings": {
    post: {
      parameters: { query?: never };
      requestBody: { content: { "application/json": { coin_id: string; quantity: string } } };
      responses: { 201: { content: { "application/json": { id: number } } } };
    };
  };
}

function respond(status: number, body: unknown) {
  return vi.fn((_url: RequestInfo | URL, _init?: RequestInit) =>
    Promise.resolve(
      new Response(body === null ? null : JSON.stringify(body), {
        status,
        headers: { "Content-Type": "application/json" },
      }),
    ),
  );
}

describe("buildUrl", () => {
  it("fills path parameters and skips empty query values", () => {
    expect(
      buildUrl(
        "",
        "/api/v1/coins/{coin_id}",
        { coin_id: "usd coin" },
        { a: 1, b: undefined, c: null },
      ),
    ).toBe("/api/v1/coins/usd%20coin?a=1");
  });
  it("repeats array query values", () => {
    expect(buildUrl("http://x", "/p", undefined, { ids: ["a", "b"] })).toBe(
      "http://x/p?ids=a&ids=b",
    );
  });
  it("refuses a missing path parameter", () => {
    expect(() => buildUrl("", "/c/{coin_id}")).toThrow(/coin_id/);
  });
});

describe("createClient", () => {
  it("sends the bearer token and query, and returns the parsed body", async () => {
    const fetch = respond(200, { data: ["bitcoin"], count: 1 });
    const client = createClient<TestPaths>({ fetch, getToken: () => "tok" });
    const body = await client.get("/api/v1/coins", { query: { search: "bit" } });
    expect(body.count).toBe(1);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("/api/v1/coins?search=bit");
    expect((init!.headers as Record<string, string>).Authorization).toBe("Bearer tok");
  });

  it("sends JSON bodies", async () => {
    const fetch = respond(201, { id: 7 });
    const client = createClient<TestPaths>({ fetch });
    const created = await client.post("/api/v1/portfolio/holdings", {
      body: { coin_id: "bitcoin", quantity: "0.5" },
    });
    expect(created.id).toBe(7);
    const init = fetch.mock.calls[0]![1]!;
    expect(init.method).toBe("POST");
    expect(JSON.parse(init.body as string)).toEqual({ coin_id: "bitcoin", quantity: "0.5" });
    expect((init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it("raises ApiError with the API's detail", async () => {
    const client = createClient<TestPaths>({ fetch: respond(404, { detail: "coin not found" }) });
    await expect(
      client.get("/api/v1/coins/{coin_id}", { path: { coin_id: "nope" } }),
    ).rejects.toMatchObject({
      status: 404,
      message: "coin not found",
    });
  });

  it("ends the session on 401 when a token was sent", async () => {
    const onUnauthorized = vi.fn();
    const client = createClient<TestPaths>({
      fetch: respond(401, { detail: "expired" }),
      getToken: () => "old",
      onUnauthorized,
    });
    await expect(client.get("/api/v1/coins")).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it("does not end a session that does not exist (wrong password is a plain 401)", async () => {
    const onUnauthorized = vi.fn();
    const client = createClient<TestPaths>({
      fetch: respond(401, { detail: "bad credentials" }),
      getToken: () => null,
      onUnauthorized,
    });
    await expect(client.get("/api/v1/coins")).rejects.toMatchObject({ message: "bad credentials" });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("reports an unreachable server as status 0", async () => {
    const fetch = vi.fn(() => Promise.reject(new TypeError("Failed to fetch")));
    const client = createClient<TestPaths>({ fetch });
    await expect(client.get("/api/v1/coins")).rejects.toMatchObject({ status: 0 });
  });
});

describe("errorMessage", () => {
  it("joins FastAPI validation errors with their fields", () => {
    const body = {
      detail: [
        { loc: ["body", "quantity"], msg: "must be > 0" },
        { loc: ["query", "sort"], msg: "bad" },
      ],
    };
    expect(errorMessage(422, body)).toBe("quantity: must be > 0; query.sort: bad");
  });
  it("falls back to a generic message", () => {
    expect(errorMessage(503, null)).toMatch(/server/);
    expect(errorMessage(418, "teapot")).toBe("Request failed (418)");
  });
});
