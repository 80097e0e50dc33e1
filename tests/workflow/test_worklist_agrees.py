"""The worklist report, the workflow's view and the UI's ``CcmAtRisk`` attribute agree on who is
at risk (flagged on the check day and still short), and the report lists the most urgent first."""

from __future__ import annotations

from datetime import timedelta

from care.months import check_time, month_of, next_month
from projections import reports
from projections.runner import catch_up
from workflows import search_attributes as sa
from workflows.patient import workflow_id_for

from .builders import TZ, in_month, life, local_date
from .conftest import Engine
from .test_a_year_live import sleep_until


async def test_report_view_and_search_attribute_list_the_same_patients_at_risk(
    engine: Engine,
) -> None:
    month = next_month(month_of(await engine.now(), TZ))
    await sleep_until(engine, in_month(month, 2, hour=12))
    short, met, topped_up = (life(engine.patient()) for _ in range(3))
    for p, minutes in ((short, 5), (met, 25), (topped_up, 6)):
        await engine.client.send(
            [*p.enrolled(in_month(month, 2, hour=8)), p.time(in_month(month, 2, hour=11), minutes)]
        )
    await sleep_until(engine, check_time(month, TZ, 20) + timedelta(hours=9))
    await engine.client.send([topped_up.time(in_month(month, 20, hour=8), 20)])
    await engine.client.send([short.time(in_month(month, 20, hour=8), 1)])  # after its flag

    patients = {"short": short, "met": met, "topped_up": topped_up}
    views = {name: await engine.view(p) for name, p in patients.items()}
    assert {n: v.at_risk for n, v in views.items()} == {
        "short": True,
        "met": False,
        "topped_up": False,
    }
    for name, p in patients.items():
        handle = engine.env.client.get_workflow_handle(workflow_id_for(p.id))
        attrs = (await handle.describe()).typed_search_attributes
        assert attrs.get(sa.AT_RISK) is views[name].at_risk, name

    await catch_up(engine.pool)
    rows = await reports.worklist(engine.pool, local_date(await engine.now()), TZ)
    by_id = {r.patient_id: r for r in rows}
    assert {n: by_id[p.id].at_risk for n, p in patients.items()} == {
        n: v.at_risk for n, v in views.items()
    }
    assert rows[0].patient_id == short.id and rows[0].priority.startswith("14 min needed over")
    assert all(r.priority.startswith("threshold met") for r in rows[1:])
