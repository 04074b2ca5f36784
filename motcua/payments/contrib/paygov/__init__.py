"""PayGov, the national payment platform (Nền tảng thanh toán trực tuyến quốc gia): redirect,
signed return and notification, transaction query, refund and the daily list."""
