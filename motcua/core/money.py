"""Amounts of money as Vietnamese readers write them."""


def format_vnd(amount) -> str:
    """A whole amount of đồng with dots between thousands: 1250000 -> "1.250.000"."""
    return f"{int(amount):,}".replace(",", ".")
