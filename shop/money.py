"""Formatting of integer fen for people. Arithmetic on money stays in integers elsewhere."""


def format_fen(amount_fen: int, symbol: str = "¥") -> str:
    """1230 → "¥12.30"; -5 → "-¥0.05"; thousands separated: 1234500 → "¥12,345.00"."""
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(int(amount_fen)), 100)
    return f"{sign}{symbol}{yuan:,}.{fen:02d}"


def plain_yuan(amount_fen: int) -> str:
    """3326 → "33.26", -5 → "-0.05", 123456 → "1234.56": no symbol, no separators (for CSV)."""
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(int(amount_fen)), 100)
    return f"{sign}{yuan}.{fen:02d}"
