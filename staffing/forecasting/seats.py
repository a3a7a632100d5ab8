"""Staffing's answer to the quotes' question "how many seats does this volume need" (clients/seats.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clients.sales.seats import SeatEstimate, SeatRequest
from staffing.forecasting.erlang import EFFICIENCY, staff_interval


def seat_estimate(request: SeatRequest) -> SeatEstimate:
    """Erlang C for the stated peak interval; raises `staffing.forecasting.erlang.ErlangInputError` on bad figures."""
    result = staff_interval(
        volume=request.volume,
        interval_minutes=request.interval_minutes,
        aht_seconds=request.aht_seconds,
        answer_seconds=request.answer_seconds,
        service_level=request.service_level,
        max_occupancy=request.max_occupancy,
        shrinkage=request.shrinkage,
        concurrency=request.concurrency,
    )
    method = _(
        "Erlang C：每 %(minutes)s 分钟 %(volume)s 个咨询，平均处理 %(aht)s 秒，并发 %(concurrency)s（效率系数 "
        "%(efficiency)s），%(sl).0f%% 在 %(answer)s 秒内接起，占用率上限 %(occ).0f%%；在线需 %(raw)s 人，"
        "按缺勤/非在线率 %(shrink).0f%% 折算为 %(agents)s 个排班席位。"
    ) % {
        "minutes": f"{request.interval_minutes:g}",
        "volume": f"{request.volume:g}",
        "aht": f"{request.aht_seconds:g}",
        "concurrency": request.concurrency,
        "efficiency": EFFICIENCY.get(request.concurrency, "?"),
        "sl": request.service_level * 100,
        "answer": f"{request.answer_seconds:g}",
        "occ": request.max_occupancy * 100,
        "raw": result.raw_agents,
        "shrink": request.shrinkage * 100,
        "agents": result.agents,
    }
    return SeatEstimate(
        raw_agents=result.raw_agents,
        agents=result.agents,
        service_level=result.service_level,
        occupancy=result.occupancy,
        waiting_probability=result.waiting_probability,
        asa_seconds=result.asa_seconds,
        method=method,
    )
