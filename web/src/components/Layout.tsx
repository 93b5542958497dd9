import { type ReactNode } from "react";
import { Link, NavLink, useNavigate } from "react-router-dom";
import { useAuth } from "../lib/AuthProvider";
import { useLivePrices } from "../lib/LivePricesProvider";
import { useCoinOrder } from "../lib/useCoinOrder";
import { DataAsOf } from "./DataAsOf";
import { Icon } from "./icons";
import { PlatformBanner } from "./PlatformBanner";
import { PriceTicker } from "./PriceTicker";

const NAV: { to: string; label: string; icon: Parameters<typeof Icon>[0]["name"] }[] = [
  { to: "/", label: "Dashboard", icon: "dashboard" },
  { to: "/market", label: "Market", icon: "market" },
  { to: "/compare", label: "Compare", icon: "compare" },
  { to: "/portfolio", label: "Portfolio", icon: "portfolio" },
  { to: "/analytics", label: "Analytics", icon: "analytics" },
];
const OPS_NAV: typeof NAV = [
  { to: "/pipeline", label: "Pipeline", icon: "pipeline" },
  { to: "/quality", label: "Quality", icon: "quality" },
  { to: "/how-it-works", label: "How it works", icon: "docs" },
];

function NavItems({ items }: { items: typeof NAV }) {
  return items.map((item) => (
    <NavLink key={item.to} to={item.to} end={item.to === "/"}>
      <Icon name={item.icon} />
      {item.label}
    </NavLink>
  ));
}

export function Layout({ children }: { children: ReactNode }) {
  const { user, logout } = useAuth();
  const { status } = useLivePrices();
  const navigate = useNavigate();
  const order = useCoinOrder();

  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark">
            <svg
              width="16"
              height="16"
              viewBox="0 0 24 24"
              fill="none"
              stroke="white"
              strokeWidth="2.6"
              strokeLinecap="round"
              strokeLinejoin="round"
              aria-hidden="true"
            >
              <path d="M4 16l5-6 4 4 7-8" />
            </svg>
          </span>
          CryptoFlow
        </Link>
        <span
          className={`live-dot${status === "live" ? " on" : ""}`}
          title={status === "live" ? "Live prices connected" : "Live prices reconnecting"}
          aria-label={`Live prices ${status}`}
          data-testid="live-status"
          data-status={status}
        />
        <PriceTicker order={order} />
        <div className="topbar-actions">
          <DataAsOf />
          {user ? (
            <>
              <span className="user-chip" data-testid="user-email">
                {user.full_name || user.email}
              </span>
              <button
                type="button"
                className="btn small"
                onClick={() => {
                  logout();
                  void navigate("/");
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <>
              <Link to="/login" className="btn small ghost">
                Sign in
              </Link>
              <Link to="/register" className="btn small primary">
                Sign up
              </Link>
            </>
          )}
        </div>
      </header>
      <aside className="sidebar">
        <nav className="nav" aria-label="Main">
          <div className="nav-section">Markets</div>
          <NavItems items={NAV} />
          <div className="nav-section">Platform</div>
          <NavItems items={OPS_NAV} />
        </nav>
      </aside>
      <main className="main">
        <PlatformBanner />
        {children}
      </main>
    </div>
  );
}

export function PageHead({
  title,
  subtitle,
  actions,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {subtitle && <p>{subtitle}</p>}
      </div>
      {actions && <div className="toolbar">{actions}</div>}
    </div>
  );
}
