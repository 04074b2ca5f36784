"""VNPay (cổng thanh toán VNPAY), protocol version 2.1.0: redirect, IPN, querydr, refund."""
