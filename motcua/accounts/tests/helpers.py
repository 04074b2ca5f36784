import re

from django.core import mail

PASSWORD = "Mat-khau-an-toan-2026"


def code_from(message: mail.EmailMessage) -> str:
    """The six-digit verification code in an e-mail sent by notifications.tasks."""
    return re.search(r"\b(\d{6})\b", message.subject + message.body).group(1)
