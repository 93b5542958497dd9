/**
 * A small typed HTTP client over the OpenAPI `paths` type generated from the API's schema:
 * paths, query parameters, bodies and responses are all checked by the compiler.
 */

export type Method = "get" | "post" | "put" | "delete";

type Op<Paths, P extends keyof Paths, M extends Method> = M extends keyof Paths[P]
  ? NonNullable<Paths[P][M]>
  : never;

/** Paths of `Paths` that define method `M`. */
export type PathsFor<Paths, M extends Method> = {
  [P in keyof Paths]: [Op<Paths, P, M>] extends [never] ? never : P;
}[keyof Paths] &
  string;

type ParamsOf<O> = O extends { parameters: infer Params } ? Params : Record<string, never>;
type Section<O, K extends string> = K extends keyof ParamsOf<O>
  ? NonNullable<ParamsOf<O>[K]>
  : never;
type JsonOf<C> = C extends { content: { "application/json": infer Body } } ? Body : never;
type BodyOf<O> = O extends { requestBody?: infer Rb } ? JsonOf<NonNullable<Rb>> : never;

type SuccessOf<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonOf<R[200]>
    : 201 extends keyof R
      ? JsonOf<R[201]>
      : 204 extends keyof R
        ? null
        : unknown
  : unknown;

type MaybeKey<K extends string, V> = [V] extends [never]
  ? { [key in K]?: never }
  : Record<string, never> extends V
    ? { [key in K]?: V }
    : { [key in K]: V };

export type RequestOptions<O> = MaybeKey<"path", Section<O, "path">> &
  MaybeKey<"query", Section<O, "query">> &
  MaybeKey<"body", BodyOf<O>> & {
    /** Sent as application/x-www-form-urlencoded (OAuth2 password login). */
    form?: Record<string, string>;
    signal?: AbortSignal;
  };

/** Options are optional only when nothing in them is required. */
type Args<O> =
  Record<string, never> extends RequestOptions<O>
    ? [options?: RequestOptions<O>]
    : [options: RequestOptions<O>];

export type Response<Paths, P extends keyof Paths, M extends Method> = SuccessOf<Op<Paths, P, M>>;

/** A failed request: the status code and the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ClientConfig {
  baseUrl?: string;
  fetch?: typeof fetch;
  /** The bearer token to send, read on every request (it changes on login/logout). */
  getToken?: () => string | null;
  /** Called on 401 from a request that carried a token: the session has ended. */
  onUnauthorized?: () => void;
}

type Scalar = string | number | boolean;

/** Fill `{name}` placeholders and append the defined query parameters. */
export function buildUrl(
  baseUrl: string,
  path: string,
  pathParams?: Record<string, Scalar>,
  query?: Record<string, Scalar | Scalar[] | null | undefined>,
): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = pathParams?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const qs = search.toString();
  return `${baseUrl}${filled}${qs ? `?${qs}` : ""}`;
}

/** The human message of an error body: FastAPI's `detail` (string or validation list). */
export function errorMessage(status: number, body: unknown): string {
  if (body && typeof body === "object" && "detail" in body) {
    const detail = body.detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail) && detail.length > 0) {
      return detail
        .map((item: { loc?: unknown[]; msg?: string }) => {
          const field = item.loc?.filter((part) => part !== "body").join(".");
          return field ? `${field}: ${item.msg ?? "invalid"}` : (item.msg ?? "invalid");
        })
        .join("; ");
    }
  }
  if (body && typeof body === "object" && "message" in body) {
    return String(body.message);
  }
  return status >= 500
    ? "The server had a problem; try again shortly."
    : `Request failed (${status})`;
}

export function createClient<Paths>(config: ClientConfig = {}) {
  const baseUrl = config.baseUrl ?? "";

  async function request<M extends Method, P extends PathsFor<Paths, M>>(
    method: M,
    path: P,
    ...[options]: Args<Op<Paths, P, M>>
  ): Promise<Response<Paths, P, M>> {
    const opts = (options ?? {}) as {
      path?: Record<string, Scalar>;
      query?: Record<string, Scalar | Scalar[] | null | undefined>;
      body?: unknown;
      form?: Record<string, string>;
      signal?: AbortSignal;
    };
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = config.getToken?.() ?? null;
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    const doFetch = config.fetch ?? globalThis.fetch.bind(globalThis);
    let response: globalThis.Response;
    try {
      response = await doFetch(buildUrl(baseUrl, path, opts.path, opts.query), {
        method: method.toUpperCase(),
        headers,
        body,
        signal: opts.signal,
        // Always revalidate (ETag → 304): a page loading again after a run landed must not be
        // answered from a copy the browser kept on its own (heuristically, from Last-Modified).
        cache: "no-cache",
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, "Cannot reach the server. Check your connection.");
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!response.ok) {
      if (response.status === 401 && token) config.onUnauthorized?.();
      throw new ApiError(response.status, errorMessage(response.status, parsed), parsed);
    }
    return parsed as Response<Paths, P, M>;
  }

  return {
    request,
    get: <P extends PathsFor<Paths, "get">>(path: P, ...args: Args<Op<Paths, P, "get">>) =>
      request<"get", P>("get", path, ...args),
    post: <P extends PathsFor<Paths, "post">>(path: P, ...args: Args<Op<Paths, P, "post">>) =>
      request<"post", P>("post", path, ...args),
    put: <P extends PathsFor<Paths, "put">>(path: P, ...args: Args<Op<Paths, P, "put">>) =>
      request<"put", P>("put", path, ...args),
    delete: <P extends PathsFor<Paths, "delete">>(path: P, ...args: Args<Op<Paths, P, "delete">>) =>
      request<"delete", P>("delete", path, ...args),
  };
}
