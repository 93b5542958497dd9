/** The header cells of the risk metric columns (volatility, max drawdown, Sharpe) of a table. */
export function RiskHeadCells() {
  return (
    <>
      <th className="num">Volatility</th>
      <th className="num">Max DD</th>
      <th className="num">Sharpe</th>
    </>
  );
}
