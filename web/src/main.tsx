import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { App } from "./App";
import { AuthProvider } from "./lib/AuthProvider";
import { LivePricesProvider } from "./lib/LivePricesProvider";
import { PlatformStatusProvider } from "./lib/PlatformStatusProvider";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BrowserRouter>
      <AuthProvider>
        <PlatformStatusProvider>
          <LivePricesProvider>
            <App />
          </LivePricesProvider>
        </PlatformStatusProvider>
      </AuthProvider>
    </BrowserRouter>
  </StrictMode>,
);
