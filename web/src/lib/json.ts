/** A socket frame's JSON object, or null for anything else (a bad frame must not break the page). */
export function parseJsonObject(raw: string): Record<string, unknown> | null {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return null;
  }
  return message && typeof message === "object" && !Array.isArray(message)
    ? (message as Record<string, unknown>)
    : null;
}
