// Money for people, the same as shop/money.py: integer fen in, "¥100,000.00" out, and typed
// yuan back to fen. Integer and string arithmetic only, so no amount is ever off by a float.
(function (root) {
  "use strict";

  // 1230 → "¥12.30"; -5 → "-¥0.05"; 10000000 → "¥100,000.00".
  function formatFen(fen) {
    const amount = Math.trunc(Number(fen)) || 0;
    const sign = amount < 0 ? "-" : "";
    const digits = String(Math.abs(amount)).padStart(3, "0");
    const yuan = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, ",");
    return sign + "¥" + yuan + "." + digits.slice(-2);
  }

  // "99", "99.5", "¥1,299.50" → fen; null for anything else. A comma counts only between
  // groups of three digits, so "99,5" is refused rather than read as 995 yuan.
  function yuanToFen(text) {
    const cleaned = String(text == null ? "" : text).trim().replace(/^[¥￥]\s*/, "").replace(/，/g, ",");
    const match = /^(\d{1,9}|\d{1,3}(?:,\d{3}){1,2})(?:\.(\d{1,2}))?$/.exec(cleaned);
    if (!match) return null;
    return parseInt(match[1].replace(/,/g, ""), 10) * 100 + parseInt((match[2] || "0").padEnd(2, "0"), 10);
  }

  const money = { formatFen, yuanToFen };
  if (typeof module === "object" && module.exports) module.exports = money;
  else root.shopMoney = money;
})(typeof window !== "undefined" ? window : globalThis);
