"""Providers: how a message leaves Balai on a channel.

A provider's ``send`` returns the provider's message id when the message was accepted, and
raises :class:`ProviderTemporaryError` (try again later, maybe elsewhere) or
:class:`ProviderPermanentError` (this message cannot go this way; the reason is recorded).

The webhook gateway is the generic JSON API Indonesian WhatsApp/SMS gateways offer:
``POST <url>`` with ``{"to", "message", "reference"}``, the token in ``Authorization:
Bearer``, and our idempotency key in ``Idempotency-Key``. 2xx means accepted (the id is
read from ``id`` or ``message_id``); 4xx is a permanent failure with the gateway's reason;
5xx, timeouts and connection errors are temporary. A gateway that honours
``Idempotency-Key`` makes the one unsafe moment safe: when the worker dies after the
gateway accepted a message but before we recorded it, the sweep sends it again with the
same key and the gateway answers with the first message instead of sending a second.
Gateways that ignore the header may, in that one case, deliver twice.
"""

from __future__ import annotations

import http.client
import json
import os
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend

from services.notifications.models import ChannelConfig, InboxItem, Message, ProviderKind


class ProviderTemporaryError(Exception):
    """Try again later (the gateway is down, slow or overloaded)."""


class ProviderPermanentError(Exception):
    """This message will never go through this channel (bad number, refused address)."""


@dataclass
class Accepted:
    provider_message_id: str
    delivered: bool = False  # in-app: nothing further to wait for


class Provider(Protocol):
    name: str

    def send(self, message: Message) -> Accepted: ...


class WebhookGateway:
    def __init__(self, config: ChannelConfig) -> None:
        self.name = config.name
        self.url = config.url
        self.sender = config.sender
        self.timeout = config.timeout_seconds
        self.token = os.environ.get(config.credentials_ref, "") if config.credentials_ref else ""

    def send(self, message: Message) -> Accepted:
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = {
            "to": message.address,
            "message": message.body,
            "channel": message.channel,
            "reference": message.idempotency_key,
        }
        if self.sender:
            body["sender"] = self.sender
        if not self.url.startswith(("http://", "https://")):
            raise ProviderPermanentError(f"gateway URL must be http(s): {self.url!r}")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            if error.code >= 500 or error.code == 429:
                raise ProviderTemporaryError(f"HTTP {error.code}: {text[:300]}") from error
            raise ProviderPermanentError(f"HTTP {error.code}: {_reason(text)}"[:500]) from error
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            # Timeouts, refused connections, broken responses.
            raise ProviderTemporaryError(f"{type(error).__name__}: {error}"[:500]) from error
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
        provider_id = ""
        if isinstance(data, dict):
            provider_id = str(data.get("id") or data.get("message_id") or "")
        return Accepted(provider_message_id=provider_id[:120])


def _reason(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(data, dict):
        return str(data.get("reason") or data.get("error") or data.get("message") or data)
    return str(data)


class EmailProvider:
    """Django's email backend; ``url`` = ``smtp://host:port`` picks an SMTP server for this
    village, otherwise the platform's EMAIL_* settings apply."""

    def __init__(self, config: ChannelConfig | None) -> None:
        self.name = config.name if config else "email-default"
        self.sender = (config.sender if config else "") or None
        self.url = config.url if config else ""
        self.timeout = config.timeout_seconds if config else 10.0

    def _connection(self):
        if not self.url:
            return get_connection()
        parts = urlsplit(self.url)
        return EmailBackend(
            host=parts.hostname, port=parts.port or 25, timeout=self.timeout, fail_silently=False
        )

    def send(self, message: Message) -> Accepted:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=self.sender,
            to=[message.address],
            headers={"Message-ID": f"<{message.idempotency_key.replace(':', '.')}@balai>"},
            connection=self._connection(),
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= 500 for code in codes):
                raise ProviderPermanentError(f"SMTP refused: {error.recipients}"[:500]) from error
            raise ProviderTemporaryError(f"SMTP refused: {error.recipients}"[:500]) from error
        except smtplib.SMTPResponseException as error:
            text = f"SMTP {error.smtp_code}: {error.smtp_error!r}"[:500]
            if error.smtp_code >= 500:
                raise ProviderPermanentError(text) from error
            raise ProviderTemporaryError(text) from error
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            raise ProviderTemporaryError(f"{type(error).__name__}: {error}"[:500]) from error
        return Accepted(provider_message_id=f"email:{message.idempotency_key}"[:120])


class InAppProvider:
    name = "inapp"

    def send(self, message: Message) -> Accepted:
        InboxItem.objects.get_or_create(
            message=message,
            defaults={
                "recipient_kind": message.recipient_kind,
                "recipient_id": message.recipient_id,
                "subject": message.subject,
                "body": message.body,
            },
        )
        return Accepted(provider_message_id=f"inapp:{message.pk}", delivered=True)


def provider_for(config: ChannelConfig) -> Provider:
    if config.kind == ProviderKind.EMAIL:
        return EmailProvider(config)
    return WebhookGateway(config)
