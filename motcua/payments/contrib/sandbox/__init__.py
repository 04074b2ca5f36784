"""MotCua's sandbox of VNPay: the gateway side of the protocol, served under /sandbox/vnpay/."""
