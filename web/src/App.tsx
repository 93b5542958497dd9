import { lazy, Suspense } from "react";
import { Link, Route, Routes } from "react-router-dom";
import { Layout } from "./components/Layout";
import { Empty, Loading } from "./components/States";

// One chunk per page: the first screen downloads only what it shows.
const Dashboard = lazy(() => import("./pages/Dashboard"));
const Market = lazy(() => import("./pages/Market"));
const CoinDetail = lazy(() => import("./pages/CoinDetail"));
const Compare = lazy(() => import("./pages/Compare"));
const Portfolio = lazy(() => import("./pages/Portfolio"));
const Analytics = lazy(() => import("./pages/Analytics"));
const Pipeline = lazy(() => import("./pages/Pipeline"));
const Quality = lazy(() => import("./pages/Quality"));
const HowItWorks = lazy(() => import("./pages/HowItWorks"));
const Login = lazy(() => import("./pages/Auth").then((m) => ({ default: m.LoginPage })));
const Register = lazy(() => import("./pages/Auth").then((m) => ({ default: m.RegisterPage })));

function NotFound() {
  return (
    <Empty>
      <span>This page does not exist.</span>
      <Link to="/">Back to the dashboard</Link>
    </Empty>
  );
}

export function App() {
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Dashboard />} />
          <Route path="/market" element={<Market />} />
          <Route path="/coins/:id" element={<CoinDetail />} />
          <Route path="/compare" element={<Compare />} />
          <Route path="/portfolio" element={<Portfolio />} />
          <Route path="/analytics" element={<Analytics />} />
          <Route path="/pipeline" element={<Pipeline />} />
          <Route path="/quality" element={<Quality />} />
          <Route path="/how-it-works" element={<HowItWorks />} />
          <Route path="/login" element={<Login />} />
          <Route path="/register" element={<Register />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}
