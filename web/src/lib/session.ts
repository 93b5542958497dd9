/** The signed-in session lives in localStorage: one token, read on every request. */

const TOKEN_KEY = "cryptoflow.token";
export const UNAUTHORIZED_EVENT = "cryptoflow:unauthorized";

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  localStorage.removeItem(TOKEN_KEY);
}

/** The API said the token is no longer good: forget it and let the app send the user to login. */
export function endSession(): void {
  clearToken();
  window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
}
