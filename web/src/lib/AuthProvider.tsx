import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { api, type User } from "../api";
import { clearToken, getToken, setToken, UNAUTHORIZED_EVENT } from "./session";

interface AuthContext {
  user: User | null;
  /** True until the stored token (if any) has been checked against `/auth/me`. */
  checking: boolean;
  login: (email: string, password: string) => Promise<User>;
  register: (email: string, password: string, fullName: string | null) => Promise<User>;
  logout: () => void;
}

const Context = createContext<AuthContext | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(() => getToken() !== null);
  const navigate = useNavigate();
  const location = useLocation();

  useEffect(() => {
    if (!getToken()) return;
    api
      .get("/api/v1/auth/me")
      .then(setUser)
      .catch(() => setUser(null))
      .finally(() => setChecking(false));
  }, []);

  // A 401 anywhere ends the session and sends the user to login, back here afterwards.
  useEffect(() => {
    const onUnauthorized = () => {
      setUser(null);
      if (location.pathname !== "/login") {
        void navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, {
          replace: true,
        });
      }
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [navigate, location]);

  const login = useCallback(async (email: string, password: string) => {
    const token = await api.post("/api/v1/auth/login", { body: { email, password } });
    setToken(token.access_token);
    const me = await api.get("/api/v1/auth/me");
    setUser(me);
    return me;
  }, []);

  const register = useCallback(
    async (email: string, password: string, fullName: string | null) => {
      await api.post("/api/v1/auth/register", { body: { email, password, full_name: fullName } });
      return login(email, password);
    },
    [login],
  );

  const logout = useCallback(() => {
    clearToken();
    setUser(null);
  }, []);

  return (
    <Context.Provider value={{ user, checking, login, register, logout }}>
      {children}
    </Context.Provider>
  );
}

export function useAuth(): AuthContext {
  const context = useContext(Context);
  if (!context) throw new Error("useAuth outside AuthProvider");
  return context;
}
