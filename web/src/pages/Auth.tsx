import { type FormEvent, useState } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { useAuth } from "../lib/AuthProvider";
import { type Errors, validateCredentials } from "../lib/validation";

type Field = "email" | "password" | "confirm" | "fullName";

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function AuthPage({ mode }: { mode: "login" | "register" }) {
  const registering = mode === "register";
  const { user, login, register } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [values, setValues] = useState({ email: "", password: "", confirm: "", fullName: "" });
  const [errors, setErrors] = useState<Errors<Field>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (user && !busy) return <Navigate to={next} replace />;

  const set = (key: Field, value: string) => setValues((v) => ({ ...v, [key]: value }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateCredentials(values, { registering });
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setServerError(null);
    try {
      if (registering)
        await register(values.email.trim(), values.password, values.fullName.trim() || null);
      else await login(values.email.trim(), values.password);
      void navigate(next, { replace: true });
    } catch (err) {
      setServerError((err as Error).message);
      setBusy(false);
    }
  };

  const field = (key: Field, label: string, type: string, autoComplete: string) => (
    <div className="field">
      <label htmlFor={key}>{label}</label>
      <input
        id={key}
        name={key}
        type={type}
        autoComplete={autoComplete}
        value={values[key]}
        aria-invalid={Boolean(errors[key])}
        aria-describedby={errors[key] ? `${key}-error` : undefined}
        onChange={(e) => set(key, e.target.value)}
      />
      {errors[key] && (
        <span className="field-error" id={`${key}-error`}>
          {errors[key]}
        </span>
      )}
    </div>
  );

  return (
    <div className="auth-wrap">
      <div className="card auth-card">
        <h1 style={{ marginBottom: 4 }}>{registering ? "Create your account" : "Welcome back"}</h1>
        <p className="muted" style={{ marginTop: 0 }}>
          {registering
            ? "Track a portfolio and keep a watchlist."
            : "Sign in to your portfolio and watchlist."}
        </p>
        <form onSubmit={submit} noValidate aria-label={registering ? "Register" : "Sign in"}>
          {registering && field("fullName", "Name (optional)", "text", "name")}
          {field("email", "Email", "email", "email")}
          {field(
            "password",
            "Password",
            "password",
            registering ? "new-password" : "current-password",
          )}
          {registering && field("confirm", "Confirm password", "password", "new-password")}
          {serverError && (
            <div className="alert" role="alert">
              {serverError}
            </div>
          )}
          <button type="submit" className="btn primary" disabled={busy}>
            {busy ? "Please wait…" : registering ? "Create account" : "Sign in"}
          </button>
        </form>
        <p className="muted" style={{ marginBottom: 0 }}>
          {registering ? (
            <>
              Already have an account?{" "}
              <Link to={`/login?next=${encodeURIComponent(next)}`}>Sign in</Link>
            </>
          ) : (
            <>
              New here?{" "}
              <Link to={`/register?next=${encodeURIComponent(next)}`}>Create an account</Link>
            </>
          )}
        </p>
      </div>
    </div>
  );
}

export function LoginPage() {
  return <AuthPage mode="login" />;
}

export function RegisterPage() {
  return <AuthPage mode="register" />;
}
