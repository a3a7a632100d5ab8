"""The JSON a group robot of WeCom (企业微信), DingTalk (钉钉) or Feishu (飞书) accepts, and its signature.

Pure: no Django. `robot_request` returns the URL to post to and the body; the caller does the HTTP.

- WeCom: ``{"msgtype": "markdown", "markdown": {"content": …}}``; the key is in the webhook URL, no signature.
- DingTalk: ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; with a signing secret the URL
  gains ``timestamp`` (milliseconds) and ``sign`` = base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")),
  URL-encoded.
- Feishu: ``{"msg_type": "text", "content": {"text": …}}``; with a signing secret the body gains
  ``timestamp`` (seconds, as a string) and ``sign`` = base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg="")).

Each answers HTTP 200 with a JSON error code (``errcode`` for WeCom and DingTalk, ``code`` for Feishu), 0 when
the message was accepted; `robot_accepted` reads it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

ROBOTS = ("wecom", "dingtalk", "feishu")


@dataclass(frozen=True)
class RobotRequest:
    url: str
    body: dict[str, Any]

    def json_bytes(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote_plus)))


def robot_request(*, robot: str, url: str, title: str, text: str, secret: str = "", now_s: float) -> RobotRequest:
    """The request for one message. `text` is Markdown-light (lines, **bold**); Feishu gets it as plain text."""
    if robot == "wecom":
        return RobotRequest(url, {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}})
    if robot == "dingtalk":
        body: dict[str, Any] = {"msgtype": "markdown", "markdown": {"title": title, "text": f"#### {title}\n{text}"}}
        if secret:
            stamp = int(now_s * 1000)
            url = _with_query(url, {"timestamp": str(stamp), "sign": dingtalk_sign(secret, stamp)})
        return RobotRequest(url, body)
    if robot == "feishu":
        plain = text.replace("**", "")
        body = {"msg_type": "text", "content": {"text": f"{title}\n{plain}"}}
        if secret:
            stamp = int(now_s)
            body = {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **body}
        return RobotRequest(url, body)
    raise ValueError(f"unknown robot {robot!r}")


def robot_accepted(robot: str, answer: bytes) -> tuple[bool, str]:
    """Whether the robot's JSON answer says the message was accepted, and its own message if not."""
    try:
        data = json.loads(answer.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return False, answer[:200].decode("utf-8", "replace")
    if not isinstance(data, dict):
        return False, str(data)[:200]
    keys = ("code", "StatusCode") if robot == "feishu" else ("errcode",)
    code = next((data[k] for k in keys if k in data), None)
    if code == 0:
        return True, ""
    return False, str(data.get("msg") or data.get("errmsg") or data.get("StatusMessage") or data)[:200]
