"""The simulator's universe: 50 real coins with plausible starting prices, supplies and risk."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Coin:
    id: str
    symbol: str
    name: str
    price: float  # USD at the simulator's anchor date
    supply: float  # circulating supply
    vol: float  # annualised volatility of the idiosyncratic + market move
    beta: float  # loading on the common market factor
    category: str


def _c(
    id_: str, sym: str, name: str, price: float, supply: float, vol: float, beta: float, cat: str
) -> Coin:
    return Coin(id_, sym, name, price, supply, vol, beta, cat)


COINS: tuple[Coin, ...] = (
    _c("bitcoin", "btc", "Bitcoin", 64000, 19.7e6, 0.55, 1.0, "layer-1"),
    _c("ethereum", "eth", "Ethereum", 3200, 120.2e6, 0.70, 1.1, "layer-1"),
    _c("tether", "usdt", "Tether", 1.0, 118e9, 0.004, 0.0, "stablecoin"),
    _c("ripple", "xrp", "XRP", 0.60, 55e9, 0.85, 0.9, "payments"),
    _c("binancecoin", "bnb", "BNB", 580, 146e6, 0.60, 0.9, "exchange"),
    _c("solana", "sol", "Solana", 150, 465e6, 0.90, 1.3, "layer-1"),
    _c("usd-coin", "usdc", "USDC", 1.0, 34e9, 0.004, 0.0, "stablecoin"),
    _c("tron", "trx", "TRON", 0.12, 87e9, 0.55, 0.6, "layer-1"),
    _c("dogecoin", "doge", "Dogecoin", 0.14, 145e9, 1.00, 1.3, "meme"),
    _c("cardano", "ada", "Cardano", 0.45, 35.5e9, 0.85, 1.2, "layer-1"),
    _c("staked-ether", "steth", "Lido Staked Ether", 3195, 9.6e6, 0.70, 1.1, "liquid-staking"),
    _c("wrapped-bitcoin", "wbtc", "Wrapped Bitcoin", 63900, 150e3, 0.55, 1.0, "wrapped"),
    _c("hyperliquid", "hype", "Hyperliquid", 25, 334e6, 1.10, 1.2, "defi"),
    _c("sui", "sui", "Sui", 1.8, 2.8e9, 1.10, 1.4, "layer-1"),
    _c("chainlink", "link", "Chainlink", 14, 608e6, 0.90, 1.2, "oracle"),
    _c("stellar", "xlm", "Stellar", 0.11, 29e9, 0.80, 1.0, "payments"),
    _c("bitcoin-cash", "bch", "Bitcoin Cash", 380, 19.7e6, 0.85, 1.1, "payments"),
    _c("avalanche-2", "avax", "Avalanche", 28, 395e6, 1.00, 1.3, "layer-1"),
    _c("hedera-hashgraph", "hbar", "Hedera", 0.08, 36e9, 0.95, 1.1, "layer-1"),
    _c("leo-token", "leo", "LEO Token", 5.8, 925e6, 0.30, 0.3, "exchange"),
    _c("the-open-network", "ton", "Toncoin", 5.5, 2.5e9, 0.80, 0.8, "layer-1"),
    _c("litecoin", "ltc", "Litecoin", 75, 75e6, 0.80, 1.0, "payments"),
    _c("shiba-inu", "shib", "Shiba Inu", 0.000018, 589e12, 1.05, 1.3, "meme"),
    _c("polkadot", "dot", "Polkadot", 6.0, 1.45e9, 0.90, 1.2, "layer-0"),
    _c("monero", "xmr", "Monero", 160, 18.4e6, 0.65, 0.8, "privacy"),
    _c("dai", "dai", "Dai", 1.0, 5.3e9, 0.005, 0.0, "stablecoin"),
    _c("uniswap", "uni", "Uniswap", 8.0, 600e6, 1.00, 1.3, "defi"),
    _c("ethena-usde", "usde", "Ethena USDe", 1.0, 5.0e9, 0.006, 0.0, "stablecoin"),
    _c("pepe", "pepe", "Pepe", 0.0000095, 420e12, 1.30, 1.5, "meme"),
    _c("aave", "aave", "Aave", 120, 15e6, 1.00, 1.3, "defi"),
    _c("bitget-token", "bgb", "Bitget Token", 1.1, 1.4e9, 0.60, 0.6, "exchange"),
    _c("near", "near", "NEAR Protocol", 5.0, 1.1e9, 1.05, 1.4, "layer-1"),
    _c("aptos", "apt", "Aptos", 8.0, 450e6, 1.05, 1.4, "layer-1"),
    _c("internet-computer", "icp", "Internet Computer", 9.0, 470e6, 1.00, 1.3, "layer-1"),
    _c("ethereum-classic", "etc", "Ethereum Classic", 24, 148e6, 0.90, 1.1, "layer-1"),
    _c("mantle", "mnt", "Mantle", 0.75, 3.2e9, 0.95, 1.1, "layer-2"),
    _c("ondo-finance", "ondo", "Ondo", 0.9, 1.44e9, 1.10, 1.2, "rwa"),
    _c("pi-network", "pi", "Pi Network", 0.7, 7e9, 1.20, 0.6, "layer-1"),
    _c("crypto-com-chain", "cro", "Cronos", 0.09, 26e9, 0.85, 1.0, "exchange"),
    _c("vechain", "vet", "VeChain", 0.03, 72e9, 0.95, 1.2, "supply-chain"),
    _c("render-token", "render", "Render", 7.0, 390e6, 1.15, 1.4, "ai"),
    _c("filecoin", "fil", "Filecoin", 5.0, 580e6, 1.00, 1.3, "storage"),
    _c("algorand", "algo", "Algorand", 0.18, 8.2e9, 0.95, 1.2, "layer-1"),
    _c("arbitrum", "arb", "Arbitrum", 0.8, 3.3e9, 1.05, 1.4, "layer-2"),
    _c("cosmos", "atom", "Cosmos Hub", 7.0, 390e6, 0.95, 1.2, "layer-0"),
    _c("kaspa", "kas", "Kaspa", 0.15, 24e9, 1.10, 1.0, "layer-1"),
    _c("okb", "okb", "OKB", 45, 60e6, 0.60, 0.6, "exchange"),
    _c("bittensor", "tao", "Bittensor", 380, 7.3e6, 1.20, 1.3, "ai"),
    _c("fetch-ai", "fet", "Artificial Superintelligence Alliance", 1.3, 2.5e9, 1.20, 1.4, "ai"),
    _c("official-trump", "trump", "Official Trump", 10, 200e6, 1.40, 1.0, "meme"),
)

COINS_BY_ID: dict[str, Coin] = {coin.id: coin for coin in COINS}
assert len(COINS) == 50 and len(COINS_BY_ID) == 50
