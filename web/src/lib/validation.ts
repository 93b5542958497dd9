/** Form rules shared by the auth and holding forms; they mirror the API's own limits. */

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type Errors<K extends string> = Partial<Record<K, string>>;

export function validateCredentials(
  values: { email: string; password: string; confirm?: string },
  { registering }: { registering: boolean },
): Errors<"email" | "password" | "confirm"> {
  const errors: Errors<"email" | "password" | "confirm"> = {};
  if (!values.email.trim()) errors.email = "Email is required.";
  else if (!EMAIL.test(values.email.trim()) || values.email.length > 320)
    errors.email = "Enter a valid email address.";
  if (!values.password) errors.password = "Password is required.";
  else if (registering && values.password.length < PASSWORD_MIN)
    errors.password = `Use at least ${PASSWORD_MIN} characters.`;
  else if (values.password.length > PASSWORD_MAX)
    errors.password = `Use at most ${PASSWORD_MAX} characters.`;
  if (registering && values.confirm !== values.password) errors.confirm = "Passwords do not match.";
  return errors;
}

/** A positive decimal as typed by a person ("0.5", "1,000.25"): its canonical string, or null. */
export function parseDecimal(raw: string, { allowZero = false } = {}): string | null {
  const cleaned = raw.trim().replace(/,/g, "");
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(cleaned)) return null;
  const [whole = "0", fraction = ""] = cleaned.split(".");
  if (whole.replace(/^0+/, "").length > 20 || fraction.length > 18) return null;
  const value = Number(cleaned);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) return null;
  return cleaned.startsWith(".") ? `0${cleaned}` : cleaned;
}

export function validateHolding(values: {
  coinId: string;
  quantity: string;
  buyPrice: string;
  notes: string;
}) {
  const errors: Errors<"coinId" | "quantity" | "buyPrice" | "notes"> = {};
  if (!values.coinId) errors.coinId = "Choose a coin.";
  if (parseDecimal(values.quantity) === null) errors.quantity = "Enter a quantity above 0.";
  if (parseDecimal(values.buyPrice, { allowZero: true }) === null)
    errors.buyPrice = "Enter a price of 0 or more.";
  if (values.notes.length > 1000) errors.notes = "Notes are limited to 1000 characters.";
  return errors;
}
