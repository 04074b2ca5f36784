from django.apps import AppConfig


class SandboxGatewayConfig(AppConfig):
    name = "motcua.payments.contrib.sandbox"
    label = "payment_sandbox"
    verbose_name = "Cổng thanh toán thử nghiệm (VNPay sandbox)"
