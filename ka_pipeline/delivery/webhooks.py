"""Group-bot messages: the report summary and a link, in each bot's documented JSON format.

- WeCom (企业微信): `{"msgtype": "markdown", "markdown": {"content": …}}`, content at most
  4096 bytes; https://developer.work.weixin.qq.com/document/path/91770
- DingTalk (钉钉): `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`; with a
  signing secret the URL carries `timestamp` and `sign` = base64(HMAC-SHA256(secret,
  "timestamp\\nsecret")); https://open.dingtalk.com/document/robots/custom-robot-access
- Feishu (飞书): `{"msg_type": "post", "content": {"post": {"zh_cn": {"title": …,
  "content": [[…]]}}}}`; https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot

Each answers HTTP 200 also when it rejects a message, with an error code in the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request

# bytes of message text each bot accepts (WeCom's documented limit; the others' request
# limit is 20 KB, kept well under)
TEXT_LIMITS = {"wecom": 4096, "dingtalk": 15000, "feishu": 15000}


def fit(text: str, limit: int) -> str:
    """`text` cut at a line boundary to at most `limit` UTF-8 bytes."""
    if len(text.encode("utf-8")) <= limit:
        return text
    kept: list[str] = []
    size = len("…".encode())
    for line in text.splitlines():
        size += len(line.encode("utf-8")) + 1
        if size > limit:
            break
        kept.append(line)
    return "\n".join([*kept, "…"])


def message_text(summary: str, link: str | None, limit: int) -> str:
    tail = f"\n\n[{link}]({link})" if link else ""
    return fit(summary, limit - len(tail.encode("utf-8"))) + tail


def wecom_payload(title: str, summary: str, link: str | None) -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {"content": message_text(summary, link, TEXT_LIMITS["wecom"])},
    }


def dingtalk_payload(title: str, summary: str, link: str | None) -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": message_text(summary, link, TEXT_LIMITS["dingtalk"])},
    }


def feishu_payload(title: str, summary: str, link: str | None) -> dict:
    # a post holds plain text runs and links, no Markdown
    content = [[{"tag": "text", "text": fit(summary, TEXT_LIMITS["feishu"])}]]
    if link:
        content.append([{"tag": "a", "text": link, "href": link}])
    post = {"zh_cn": {"title": title, "content": content}}
    return {"msg_type": "post", "content": {"post": post}}


PAYLOADS = {"wecom": wecom_payload, "dingtalk": dingtalk_payload, "feishu": feishu_payload}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    query = urllib.parse.urlencode(
        {"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)}
    )
    return f"{url}{'&' if '?' in url else '?'}{query}"


def post_json(url: str, payload: dict) -> None:
    """POST `payload`; raise RuntimeError when the bot answers with an error code."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        body = response.read().decode("utf-8", "replace")
    try:
        answer = json.loads(body)
    except ValueError:
        raise RuntimeError(f"not a JSON answer: {body[:200]}") from None
    # WeCom and DingTalk: errcode; Feishu: code (StatusCode in older bots)
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code != 0:
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage")
        raise RuntimeError(f"bot answered code {code}: {message}")
