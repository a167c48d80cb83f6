"""Where alerts go: Spidermon actions that send the run's new problems, once per problem and channel.

Each channel looks at ``data.meta["problems"]`` (key -> message, filled by the monitors) and at
``data.open_alerts`` (what the crawl state says was already sent), sends only the problems it has not
sent yet, in one message per run, and appends what it sent to ``data.meta["alerts_sent"]`` (the
extension stores it). Nothing new: the action is skipped. A failed send raises :class:`AlertError`
with a message that holds no credential; the problem is sent again by the next run that finds it.

``WebhookChannel``  POST of a JSON object ``{"text": ...}`` to ``ALERTS_WEBHOOK_URL``: the payload of a
                    Slack or Mattermost incoming webhook; with ``ALERTS_TELEGRAM_CHAT_ID`` it also has
                    ``chat_id``, which makes it a Telegram bot ``sendMessage`` call (URL
                    ``https://api.telegram.org/bot<token>/sendMessage``). ``ALERTS_WEBHOOK_DETAILS``
                    adds ``"ruspress": {outlet, run, problems}`` for receivers of your own.
``EmailChannel``    one message over SMTP (``ALERTS_SMTP_*``, ``ALERTS_EMAIL_FROM``, ``ALERTS_EMAIL_TO``).

Secrets (a webhook URL holds its token; the SMTP password) come from the environment
(``RUSPRESS_ALERTS_WEBHOOK_URL``, ``RUSPRESS_ALERTS_SMTP_USER``, ``RUSPRESS_ALERTS_SMTP_PASSWORD``) and
are never logged: a webhook is named by its scheme and host only.
"""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from email.message import EmailMessage
from typing import Any

from spidermon import Action, SkipAction

from crawler.state.records import Alert


class AlertError(RuntimeError):
    """A channel could not deliver its alert (the message names no credential)."""


def webhook_name(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}{':' + str(parts.port) if parts.port else ''}/…"


class Channel(Action):
    channel = ""

    def run_action(self) -> None:
        problems: dict[str, str] = self.data.meta.get("problems", {})
        told = {a.problem for a in self.data.open_alerts if a.channel == self.channel}
        new = {key: message for key, message in problems.items() if key not in told}
        if not new:
            raise SkipAction("every problem was already sent")
        self.send(self.subject(new), self.text(new), new)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        first_seen = self.data.run.started_at
        self.data.meta.setdefault("alerts_sent", []).extend(
            Alert(self.data.outlet, key, self.channel, message, first_seen, now) for key, message in new.items())

    def subject(self, new: dict[str, str]) -> str:
        return f"[ruspress] {self.data.outlet}: {', '.join(new)}"

    def text(self, new: dict[str, str]) -> str:
        run, stats = self.data.run, self.data.stats
        lines = [f"ruspress-crawler: {self.data.outlet_name} ({self.data.outlet}): "
                 f"{len(new)} new problem{'s' if len(new) > 1 else ''}"]
        lines += [f"- {key}: {message}" for key, message in new.items()]
        where = ", ".join(f"{k} {v}" for k, v in (("host", self.data.host), ("job", self.data.job)) if v)
        lines.append(f"Run {run.id} started {run.started_at}, finished {run.finished_at}: {run.status}, "
                     f"{stats.get('item_scraped_count', 0)} article(s) delivered" + (f" ({where})" if where else ""))
        return "\n".join(lines)

    def send(self, subject: str, text: str, new: dict[str, str]) -> None:
        raise NotImplementedError


class WebhookChannel(Channel):
    channel = "webhook"

    def __init__(self, url: str, chat_id: str = "", details: bool = False, timeout: float = 20) -> None:
        super().__init__()
        self.url, self.chat_id, self.details, self.timeout = url, chat_id, details, timeout

    @property
    def name(self) -> str:
        return f"webhook {webhook_name(self.url)}"

    def payload(self, text: str, new: dict[str, str]) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        if self.chat_id:
            body["chat_id"] = self.chat_id
        if self.details:
            run = self.data.run
            body["ruspress"] = {"outlet": self.data.outlet, "problems": new,
                                "run": {"id": run.id, "started_at": run.started_at, "finished_at": run.finished_at,
                                        "status": run.status, "host": self.data.host, "job": self.data.job}}
        return body

    def send(self, subject: str, text: str, new: dict[str, str]) -> None:
        data = json.dumps(self.payload(text, new), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=data, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:  # the environment's proxy, if any (https_proxy / no_proxy), as for any client
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            raise AlertError(f"{webhook_name(self.url)} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise AlertError(f"{webhook_name(self.url)} unreachable ({getattr(exc, 'reason', exc)})") from None


class EmailChannel(Channel):
    channel = "email"

    def __init__(self, host: str, port: int, sender: str, to: list[str], security: str = "starttls",
                 user: str = "", password: str = "", timeout: float = 20) -> None:
        super().__init__()
        if security not in ("starttls", "ssl", "none"):
            raise ValueError(f"ALERTS_SMTP_SECURITY={security!r}: expected starttls, ssl or none")
        self.host, self.port, self.sender, self.to = host, port, sender, to
        self.security, self.user, self.password, self.timeout = security, user, password, timeout

    @property
    def name(self) -> str:
        return f"e-mail via {self.host}:{self.port}"

    def send(self, subject: str, text: str, new: dict[str, str]) -> None:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = subject, self.sender, ", ".join(self.to)
        message.set_content(text)
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password)
                client.send_message(message)
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            reason = exc.__class__.__name__ + (f" {exc.smtp_code}" if isinstance(exc, smtplib.SMTPResponseException) else "")
            raise AlertError(f"SMTP {self.host}:{self.port}: {reason}") from None
