"""What a reader of one language would trip over on a page: English words on a Chinese page, Chinese on an
English one, outside the data the page shows (names of shops, people, products, messages…).

The page's visible text is what counts: text nodes (script and style left out) and the attributes a reader
sees (title, placeholder, aria-label, alt, a button's value). The data a page may show is collected from
the database: every word or Chinese run found in the text columns of the models listed in `DATA_FIELDS`
may appear on a page of either language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

WORD = re.compile(r"[A-Za-z][A-Za-z]+")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
VISIBLE_ATTRS = {"title", "placeholder", "aria-label", "alt", "data-tip"}

# Words a Chinese page may use: product and standard names, units and formats that Chinese business
# software writes in Latin letters.
ENGLISH_ALLOWED = {
    "SLA", "QA", "KPI", "CSV", "PDF", "API", "Excel", "JSON", "JSONL", "XLSX", "XLS", "Erlang", "ID", "URL", "Token",
    "OpenAPI", "Swagger", "GMV", "SKU", "UTC", "Asia", "Shanghai", "English", "Django", "AI", "OK", "UTF", "GBK",
    "GB", "MB", "KB", "PNG", "JPG", "WeCom", "DingTalk", "Feishu", "Webhook", "webhook", "HTTP", "HTTPS", "JD",
    "PDD", "Tmall", "Taobao", "Douyin", "GB18030", "ECharts", "vs", "SVG", "IP", "email", "Email", "CP", "SAT", "SHA", "YAML",
    "jsonl", "BOM", "Lines", "ZIP", "WAPE",
}
# Chinese a page in English may keep: the name of the other language in the language switcher.
CHINESE_ALLOWED = {"简体中文"}


# Not prose: scripts and styles, what a form is editing (a textarea's content is the user's data), and
# `<code>`, which marks technical identifiers a person types or reads as such (file columns, rule ids in the
# rule-library editor). A code is in Latin letters whatever the page's language, so `<code>` may hold English
# on a Chinese page, but Chinese inside it on an English page is a sentence hidden from the crawl and counts.
SKIPPED_TAGS = {"script", "style", "template", "textarea", "code", "pre"}
CODE_TAGS = {"code"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.codes: list[str] = []
        self._skip = 0
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skip += 1
        if tag in CODE_TAGS:
            self._code += 1
        named = dict(attrs)
        for name, value in attrs:
            if value and (name in VISIBLE_ATTRS or (tag == "input" and name == "value" and named.get("type") in {"submit", "button"})):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self._skip:
            self._skip -= 1
        if tag in CODE_TAGS and self._code:
            self._code -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)
        elif self._code and self._skip == self._code:  # inside <code> only, not a script or a textarea
            self.codes.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [part for part in parser.parts if part.strip()]


def code_text(html: str) -> list[str]:
    """The text inside `<code>` elements (codes a person types or reads as such)."""
    parser = _Text()
    parser.feed(html)
    return [part for part in parser.codes if part.strip()]


class DataWords:
    """Words and Chinese runs found in data: a page may show them in either language."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words: set[str] = set()
        chinese: set[str] = set()
        for text in texts:
            if not text:
                continue
            self.words.update(WORD.findall(text))
            chinese.update(CJK.findall(text))
        self.chinese_runs = chinese
        self._joined = "\x00".join(sorted(chinese))

    def is_data_chinese(self, run: str) -> bool:
        return run in self.chinese_runs or run in self._joined


HEX = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b")


def foreign_words(html: str, language: str, data: DataWords) -> list[str]:
    """English words on a Chinese page, Chinese runs on an English one, outside the data."""
    found: list[str] = []
    if not language.startswith("zh"):  # a code holds no Chinese (outside data, e.g. a product's SKU)
        for part in code_text(html):
            found += [r for r in CJK.findall(part) if r not in CHINESE_ALLOWED and not data.is_data_chinese(r)]
    for part in visible_text(html):
        part = HEX.sub(" ", part)  # document hashes
        if language.startswith("zh"):
            found += [w for w in WORD.findall(part) if w not in ENGLISH_ALLOWED and w not in data.words]
        else:
            found += [r for r in CJK.findall(part) if r not in CHINESE_ALLOWED and not data.is_data_chinese(r)]
    return found


# Fields that hold codes rather than data a person typed or imported: a page shows their label, not them.
CODE_FIELDS = {
    "code", "rule_id", "rule_code", "metric", "level", "kind", "status", "stage", "event", "action", "verb",
    "category", "severity", "platform", "role", "task", "slug", "state", "source", "shift_code", "key",
    "password", "solve_status", "checker", "check", "channel", "sender", "direction", "from_stage", "to_stage",
    "content_type", "mime", "sha256", "hash", "file", "path", "language", "tags", "detector", "object_type",
    "object_id", "rule", "languages", "config_hash", "content_hash", "pdf_sha256",
}


def data_texts() -> Iterable[str]:
    """Every text value of the project's models outside code fields and choice fields."""
    from django.apps import apps
    from django.db import models

    for config in apps.get_app_configs():
        if config.label not in {"agency", "clients", "staffing", "compliance", "quality"}:
            continue
        for model in config.get_models():
            names = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
                and not f.choices
                and f.name not in CODE_FIELDS
                and not f.name.endswith(("_code", "_hash", "_key", "_status", "_kind"))
            ]
            for row in model._default_manager.values_list(*names) if names else ():
                yield from (value for value in row if isinstance(value, str))
            # Word lists (a rule's terms and allowed phrases, the variant table) are data too.
            lists = [f.attname for f in model._meta.concrete_fields if f.name in JSON_DATA_FIELDS.get(model._meta.model_name, ())]
            for row in model._default_manager.values_list(*lists) if lists else ():
                for value in row:
                    if model._meta.model_name == "engagementactivity" and isinstance(value, dict):
                        value = [value.get(key) for key in TYPED_PARAMS if isinstance(value.get(key), str)]
                    elif model._meta.model_name == "statement" and isinstance(value, dict):
                        value = [(line.get("label_params") or {}).get(key) for line in value.get("lines", [])
                                 for key in TYPED_PARAMS if isinstance((line.get("label_params") or {}).get(key), str)]
                    yield from _strings(value)


# JSON fields of data per model (values only, never keys, which are codes), and of the rule sets' variant
# table, whose keys are terms too.
JSON_DATA_FIELDS = {
    "rule": {"terms", "allow"}, "customrule": {"terms", "allow"}, "ruleset": {"aliases"}, "question": {"choices"},
    "autoqacheck": {"params"}, "engagementactivity": {"params"}, "statement": {"scenario"},
}
# Of an engagement log line's parameters, and of a statement line's label parameters, only what a person typed
# is data (the rest are codes and numbers): notes, titles, a promotion's or an add-on's name.
TYPED_PARAMS = ("note", "title", "next_step", "signer", "name")


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if not key.isascii():
                yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def page_pattern(url: str) -> str:
    """A URL with its ids and codes generalised, so a crawl opens a few pages of each kind, not all."""
    return re.sub(r"/[^/]*\d[^/]*(?=/)", "/<id>", url)


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name → (type, a present value, the options))."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = {"action": a.get("action", ""), "fields": {}, "enctype": a.get("enctype", "")}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in {"input", "textarea"} and a.get("name"):
            kind = a.get("type", "text") if tag == "input" else "textarea"
            self._form["fields"].setdefault(a["name"], {"type": kind, "value": a.get("value", ""), "options": []})
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form["fields"][a["name"]] = {"type": "select", "value": "", "options": []}
        elif tag == "option" and self._select:
            self._form["fields"][self._select]["options"].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def post_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


# Values no form should take, each of which must be refused with a message (4xx or the form again), never 5xx.
MALFORMED = ["", "abc", "-1", "999999999999", "2026-13-45", "25:99", "1e400", "NaN", "０", "'; DROP TABLE x;--",
             "\x00", "9" * 300, "<script>alert(1)</script>", "1999-01-01", "3.14159"]
