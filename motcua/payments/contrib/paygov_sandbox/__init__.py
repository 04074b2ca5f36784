"""MotCua's sandbox of PayGov, the national payment platform: the platform side of the
protocol (motcua/payments/contrib/paygov/protocol.py), served under /sandbox/paygov/."""
