"""The ways a notification reaches a person: one registry, a plugin per channel
(STYLE.md habit 4). Plugins live in motcua/notifications/contrib/<channel>/ and register
themselves:

    @channels.register("sms")
    class SmsChannel(Channel): ...

A channel sends one rendered message to one address and says what the provider answered; it
never decides who is told or what: that is notifications' services. A provider that reports
later (an SMS gateway's delivery report) publishes core.events.DeliveryReported from its
callback view, and the delivery record is updated by that event's subscriber.
"""

from dataclasses import dataclass

from motcua.core.registry import Registry

channels = Registry("Notification channel")


@dataclass(frozen=True)
class Message:
    """One notification rendered for one channel, in the recipient's language."""

    subject: str
    text: str  # plain text: the e-mail's text part, the SMS before the channel fits it, the portal body
    html: str = ""  # e-mail only
    link: str = ""  # absolute address of the page the notification is about


@dataclass(frozen=True)
class Sent:
    """What the provider answered when it took the message."""

    provider_ref: str = ""  # the provider's message id: matches later delivery reports
    delivered: bool = False  # True when taking it is delivering it (the portal)


class ChannelError(Exception):
    """The provider did not take the message. `permanent`: trying again cannot help (a wrong
    number, a refused address), so fall back to another channel at once; otherwise retry."""

    def __init__(self, reason: str, *, code: str = "", permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.permanent = permanent


class Channel:
    id: str
    label: str = ""  # shown to the applicant (profile) and to the desk (delivery records)

    def address(self, user) -> str:
        """Where this channel reaches `user` ("" when it cannot: no phone, no e-mail)."""
        raise NotImplementedError

    def send(self, *, address: str, message: Message, reference: str) -> Sent:
        """Hand `message` to the provider. `reference` is our delivery's id, sent along as
        the idempotency key where the provider takes one. Raises ChannelError."""
        raise NotImplementedError
