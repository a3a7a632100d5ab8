"""Writes on knowledge handover: batches, their entries, product imports, acknowledgement, versions.

Rules: only an open batch changes; the agency lead (a manager) acknowledges it, which brings it into force
and supersedes the series' previous version; an acknowledged batch never changes again, a change is a new
version. A product file with any bad row imports nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agency.models import Job, Role, User
from agency.services import audit_record, job_start
from clients.engagements.models import Engagement
from clients.handover.knowledge import entry_search_text
from clients.handover.models import HandoverBatch, KnowledgeEntry, KnowledgeKind
from clients.handover.products import ParseResult, RowError, parse_product_file
from clients.merchants.models import Shop


class HandoverError(ValueError):
    """A handover action refused; the message says why, in words for the user."""


class ProductImportError(HandoverError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(_("商品文件有 %(count)d 处错误，未导入任何商品。") % {"count": len(errors)})

    def messages(self) -> list[str]:
        return [describe_row_error(e) for e in self.errors]


FIELD_LABELS = {
    "sku": gettext_noop("商品编码 (sku)"), "name": gettext_noop("商品名称 (name)"), "price": gettext_noop("价格 (price)"),
    "category": gettext_noop("类目 (category)"), "spec": gettext_noop("规格 (spec)"), "selling_points": gettext_noop("卖点 (selling_points)"),
    "after_sale": gettext_noop("售后说明 (after_sale)"), "shipping": gettext_noop("发货说明 (shipping)"),
}


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def describe_row_error(error: RowError) -> str:
    """One bad row in words: where (row, column) and why."""
    templates = {
        "required": _("必填，不能为空"),
        "too_long": _("超过 %(max)s 个字符"),
        "bad_price": _("“%(value)s”不是有效的价格"),
        "negative_price": _("价格不能为负数（%(value)s）"),
        "too_many_decimals": _("价格最多两位小数（%(value)s）"),
        "duplicate_sku": _("商品编码 %(sku)s 与第 %(first_row)s 行重复"),
        "missing_column": _("表头缺少必填列"),
        "unknown_format": _("无法识别的文件格式（%(filename)s），请上传 CSV 或 XLSX"),
        "bad_encoding": _("无法识别文件编码，请使用 UTF-8 或 GBK/GB18030"),
        "empty_file": _("文件中没有商品"),
        "too_many_rows": _("行数超过上限 %(max)s"),
        "unreadable": _("无法读取文件：%(reason)s"),
    }
    params = _Params(error.params)
    reason = templates[error.code] % params if error.code in templates else error.code
    where = []
    if error.row:
        where.append(_("第 %(row)d 行") % {"row": error.row})
    if error.field:
        where.append(_("列 %(field)s") % {"field": _(FIELD_LABELS[error.field]) if error.field in FIELD_LABELS else error.field})
    return ("，".join(where) + "：" + reason) if where else reason


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    encoding: str
    file_format: str


def _merchant_id(batch: HandoverBatch) -> int:
    return batch.engagement.merchant_id


def _require_may_edit(batch: HandoverBatch, by: User) -> None:
    if not (by.is_manager or (by.role == Role.MERCHANT and by.merchant_id == _merchant_id(batch))):
        raise HandoverError(_("只有机构经理或该商家的用户可以修改交接内容。"))
    if not batch.is_open:
        raise HandoverError(
            _("交接批次“%(batch)s”已确认，不能再修改；请创建新版本。") % {"batch": batch}
        )


def _lock(batch: HandoverBatch) -> HandoverBatch:
    return HandoverBatch.objects.select_for_update().select_related("engagement", "shop").get(pk=batch.pk)


@transaction.atomic
def handover_batch_create(
    *, engagement: Engagement, shop: Shop, kind: str, title: str, by: User, note: str = ""
) -> HandoverBatch:
    if not (by.is_manager or (by.role == Role.MERCHANT and by.merchant_id == engagement.merchant_id)):
        raise HandoverError(_("只有机构经理或该商家的用户可以创建交接批次。"))
    if kind not in KnowledgeKind.values:
        raise HandoverError(_("未知的交接类型：%(kind)s") % {"kind": kind})
    if shop.merchant_id != engagement.merchant_id:
        raise HandoverError(_("店铺“%(shop)s”不属于该合作项目的商家。") % {"shop": shop.name})
    if engagement.stage in (Engagement.Stage.LOST, Engagement.Stage.ENDED):
        raise HandoverError(_("合作项目已结束，不能再交接内容。"))
    title = title.strip()
    if not title:
        raise HandoverError(_("请填写批次标题。"))
    batch = HandoverBatch.objects.create(
        engagement=engagement, shop=shop, kind=kind, title=title[:200], note=note, created_by=by
    )
    engagement.shops.add(shop)
    audit_record(
        actor=by, verb="handover.batch_create", target=batch, merchant_id=engagement.merchant_id,
        data={"engagement": engagement.pk, "title": batch.title, "kind": kind, "version": 1},
    )
    return batch


def _next_position(batch: HandoverBatch) -> int:
    return (batch.entries.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def handover_entry_add(*, batch: HandoverBatch, title: str, body: str, by: User) -> KnowledgeEntry:
    """Add a policy, reply script or FAQ entry (products come from a product file)."""
    batch = _lock(batch)
    _require_may_edit(batch, by)
    title, body = title.strip(), body.strip()
    if not title:
        raise HandoverError(_("请填写标题（政策名称、场景或问题）。"))
    if not body:
        raise HandoverError(_("请填写内容（说明、话术或答案）。"))
    if len(title) > 200:
        raise HandoverError(_("标题最多 200 个字符。"))
    entry = KnowledgeEntry.objects.create(
        batch=batch, kind=batch.kind, title=title, body=body, position=_next_position(batch),
        search_text=entry_search_text(title=title, body=body),
    )
    audit_record(actor=by, verb="handover.entry_add", target=batch, merchant_id=_merchant_id(batch),
                 data={"engagement": batch.engagement_id, "title": title})
    return entry


@transaction.atomic
def handover_entry_remove(*, entry: KnowledgeEntry, by: User) -> None:
    batch = _lock(entry.batch)
    _require_may_edit(batch, by)
    audit_record(actor=by, verb="handover.entry_remove", target=batch, merchant_id=_merchant_id(batch),
                 data={"engagement": batch.engagement_id, "title": entry.title})
    entry.delete()


def product_body(row_details: dict[str, str], price) -> str:
    labels = {"category": "类目", "spec": "规格", "selling_points": "卖点", "after_sale": "售后",
              "shipping": "发货"}
    lines = [f"价格：¥{price}"] + [f"{labels[k]}：{v}" for k, v in row_details.items()]
    return "\n".join(lines)


@transaction.atomic
def handover_products_import(*, batch: HandoverBatch, data: bytes, filename: str, by: User) -> ImportOutcome:
    """Import a product file into an open product batch: new SKUs are added, known SKUs updated.

    Any bad row → `ProductImportError` listing every bad row, and nothing is written.
    """
    batch = _lock(batch)
    _require_may_edit(batch, by)
    if batch.kind != KnowledgeKind.PRODUCT:
        raise HandoverError(_("只有“商品信息”批次可以导入商品文件。"))
    parsed: ParseResult = parse_product_file(data, filename)
    if not parsed.ok:
        raise ProductImportError(parsed.errors)
    existing = {e.sku: e for e in batch.entries.filter(kind=KnowledgeKind.PRODUCT).exclude(sku="")}
    position = _next_position(batch)
    new, changed = [], []
    for row in parsed.rows:
        body = product_body(row.details, row.price)
        fields = {
            "title": row.name, "body": body, "price": row.price, "attributes": row.details,
            "search_text": entry_search_text(title=row.name, body=body, sku=row.sku),
        }
        if row.sku in existing:
            entry = existing[row.sku]
            for name, value in fields.items():
                setattr(entry, name, value)
            changed.append(entry)
        else:
            new.append(KnowledgeEntry(batch=batch, kind=KnowledgeKind.PRODUCT, sku=row.sku, position=position, **fields))
            position += 1
    KnowledgeEntry.objects.bulk_create(new, batch_size=1000)
    if changed:
        KnowledgeEntry.objects.bulk_update(
            changed, ["title", "body", "price", "attributes", "search_text"], batch_size=1000
        )
    outcome = ImportOutcome(len(new), len(changed), parsed.encoding, parsed.file_format)
    audit_record(
        actor=by, verb="handover.products_import", target=batch, merchant_id=_merchant_id(batch),
        data={"engagement": batch.engagement_id, "title": batch.title, "version": batch.version,
              "filename": filename[:200], "created": outcome.created,
              "updated": outcome.updated, "encoding": outcome.encoding},
    )
    return outcome


PRODUCTS_IMPORT_TASK = "clients.handover_products_import"


def handover_products_import_start(
    *, batch: HandoverBatch, chunks: Iterable[bytes], filename: str, by: User
) -> Job:
    """Import a large product file in the background: the file is kept and the import queued as a `Job`
    (`clients.handover.tasks`), whose page shows its progress and, at the end, what was imported or every
    bad row. The same checks as `handover_products_import` run in the task."""
    return job_start(
        task=PRODUCTS_IMPORT_TASK, kind="handover.products_import",
        title=_("导入商品文件：%(name)s") % {"name": filename[:100]},
        created_by=by, merchant_id=_merchant_id(batch),
        upload=chunks, upload_suffix=PurePath(filename).suffix.lower()[:8],
        kwargs={"batch_id": batch.pk, "filename": filename, "user_id": by.pk},
    )


@transaction.atomic
def handover_batch_acknowledge(*, batch: HandoverBatch, by: User) -> HandoverBatch:
    """The agency lead confirms the batch: it comes into force and supersedes the previous version."""
    if not by.is_manager:
        raise HandoverError(_("只有机构经理（交接负责人）可以确认交接批次。"))
    batch = _lock(batch)
    if not batch.is_open:
        raise HandoverError(_("交接批次“%(batch)s”已经确认过了。") % {"batch": batch})
    if not batch.entries.exists():
        raise HandoverError(_("交接批次“%(batch)s”还没有任何内容，不能确认。") % {"batch": batch})
    now = timezone.now()
    previous = HandoverBatch.objects.select_for_update().filter(series=batch.series, in_force=True).exclude(pk=batch.pk)
    superseded = [p.pk for p in previous]
    HandoverBatch.objects.filter(pk__in=superseded).update(in_force=False, superseded_at=now)
    batch.status = HandoverBatch.Status.ACKNOWLEDGED
    batch.in_force = True
    batch.acknowledged_by = by
    batch.acknowledged_at = now
    batch.save(update_fields=["status", "in_force", "acknowledged_by", "acknowledged_at"])
    audit_record(
        actor=by, verb="handover.batch_acknowledge", target=batch, merchant_id=_merchant_id(batch),
        data={"engagement": batch.engagement_id, "title": batch.title, "version": batch.version,
              "superseded": superseded},
    )
    return batch


@transaction.atomic
def handover_batch_new_version(*, batch: HandoverBatch, by: User) -> HandoverBatch:
    """Open the next version of an acknowledged batch, starting from a copy of its entries."""
    if not (by.is_manager or (by.role == Role.MERCHANT and by.merchant_id == batch.engagement.merchant_id)):
        raise HandoverError(_("只有机构经理或该商家的用户可以创建新版本。"))
    batch = _lock(batch)
    latest = HandoverBatch.objects.select_for_update().filter(series=batch.series).order_by("-version").first()
    assert latest is not None  # the series holds at least `batch` itself
    if latest.pk != batch.pk:
        raise HandoverError(
            _("“%(batch)s”不是最新版本（最新为 v%(version)d），请在最新版本上修改。")
            % {"batch": batch, "version": latest.version}
        )
    if batch.is_open:
        raise HandoverError(_("“%(batch)s”尚未确认，可以直接修改，无需新版本。") % {"batch": batch})
    successor = HandoverBatch.objects.create(
        engagement=batch.engagement, shop=batch.shop, kind=batch.kind, title=batch.title, note=batch.note,
        series=batch.series, version=batch.version + 1, supersedes=batch, created_by=by,
    )
    KnowledgeEntry.objects.bulk_create(
        [
            KnowledgeEntry(
                batch=successor, kind=e.kind, title=e.title, body=e.body, sku=e.sku, price=e.price,
                attributes=e.attributes, search_text=e.search_text, position=e.position,
            )
            for e in batch.entries.all()
        ],
        batch_size=1000,
    )
    audit_record(
        actor=by, verb="handover.batch_new_version", target=successor, merchant_id=_merchant_id(batch),
        data={"engagement": batch.engagement_id, "title": batch.title, "version": successor.version},
    )
    return successor
