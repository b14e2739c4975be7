"""E-mail through the installation's SMTP server (QMS_SMTP_HOST and friends), for the jobs that
remind people of what they have to do. Without QMS_SMTP_HOST nothing is sent: the callers say so.

Port 465 speaks TLS from the start (SMTPS); any other port starts in plain text and, with
QMS_SMTP_STARTTLS (the default), upgrades with STARTTLS before signing in. QMS_SMTP_USER and
QMS_SMTP_PASSWORD sign in when set.
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

TIMEOUT_SECONDS = 30


class MailError(Exception):
    """The message could not be sent (or the settings do not allow sending); the text says why."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    user: str
    password: str
    starttls: bool
    sender: str


def mail_configured(config) -> bool:
    return bool((config.get("QMS_SMTP_HOST") or "").strip())


def mail_settings(config) -> MailSettings:
    """The SMTP settings, checked; MailError names what is wrong."""
    host = (config.get("QMS_SMTP_HOST") or "").strip()
    sender = (config.get("QMS_MAIL_FROM") or "").strip()
    user, password = config.get("QMS_SMTP_USER") or "", config.get("QMS_SMTP_PASSWORD") or ""
    if not host:
        raise MailError("QMS_SMTP_HOST is not set")
    if not sender or "@" not in sender:
        raise MailError("QMS_MAIL_FROM must be the sender's e-mail address (for example qms@xa.gov.vn)")
    if bool(user) != bool(password):
        raise MailError("QMS_SMTP_USER and QMS_SMTP_PASSWORD go together: set both or neither")
    return MailSettings(host, int(config["QMS_SMTP_PORT"]), user, password, bool(config["QMS_SMTP_STARTTLS"]), sender)


def new_message(settings: MailSettings, *, to_name, to_address, subject, body) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("QMS", settings.sender))
    message["To"] = formataddr((to_name, to_address))
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rsplit("@", 1)[-1])
    message.set_content(body)
    return message


class Mailer:
    """One SMTP session: `with Mailer(settings) as mailer: mailer.send(message)`. Connecting,
    signing in and sending raise MailError with the server's answer."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.smtp = None

    def __enter__(self):
        s = self.settings
        try:
            if s.port == 465:
                self.smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
                )
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
                if s.starttls:
                    self.smtp.starttls(context=ssl.create_default_context())
            if s.user:
                self.smtp.login(s.user, s.password)
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise MailError(f"cannot use the SMTP server {s.host}:{s.port}: {exc}") from exc
        return self

    def send(self, message: EmailMessage):
        try:
            self.smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"the SMTP server refused the message to {message['To']}: {exc}") from exc

    def _close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc):
        self._close()
        return False
