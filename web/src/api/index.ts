/** The app's API client: typed from `schema.d.ts` (generated from the API's OpenAPI schema). */
import { endSession, getToken } from "../lib/session";
import { createClient } from "./client";
import type { components, paths } from "./schema";

export { ApiError } from "./client";

export const api = createClient<paths>({ getToken, onUnauthorized: endSession });

type Schemas = components["schemas"];
export type Coin = Schemas["CoinPublic"];
export type Sparkline = Schemas["Sparkline"];
export type PricePoint = Schemas["PricePoint"];
export type Candle = Schemas["Candle"];
export type CoinAnalytics = Schemas["CoinAnalytics"];
export type RiskMetrics = Schemas["RiskMetrics"];
export type CorrelatedCoin = Schemas["CorrelatedCoin"];
export type MarketOverview = Schemas["MarketOverview"];
export type MarketMover = Schemas["MarketMover"];
export type CorrelationMatrix = Schemas["CorrelationMatrix"];
export type AnalyticsPeriod = Schemas["AnalyticsPeriod"];
export type VolatilityEntry = Schemas["VolatilityEntry"];
export type PipelineRun = Schemas["PipelineRunPublic"];
export type JobHealth = Schemas["JobHealth"];
export type QualityCheck = Schemas["QualityCheckPublic"];
export type QualitySummary = Schemas["QualitySummary"];
export type TableQuality = Schemas["TableQuality"];
export type PlatformStatus = Schemas["PlatformStatus"];
export type DataVersion = Schemas["DataVersionPublic"];
export type FailingCheck = Schemas["FailingCheck"];
export type User = Schemas["UserPublic"];
export type Holding = Schemas["HoldingPublic"];
export type HoldingCreate = Schemas["HoldingCreate"];
export type PortfolioSummary = Schemas["PortfolioSummary"];
export type PerformancePoint = Schemas["PerformancePoint"];
export type CoinSort = NonNullable<
  NonNullable<paths["/api/v1/coins"]["get"]["parameters"]["query"]>["sort"]
>;
