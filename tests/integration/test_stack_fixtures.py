"""The Temporal fixtures other tests build on: binaries from the venv, attributes registered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from runtime.temporal_dev import registered_search_attributes, search_attribute_names

pytestmark = pytest.mark.integration


async def test_dev_env_has_every_custom_search_attribute(dev_env: WorkflowEnvironment) -> None:
    assert search_attribute_names() <= await registered_search_attributes(dev_env.client)


async def test_time_skipping_env_skips_a_month_without_waiting(
    time_skipping_env: WorkflowEnvironment,
) -> None:
    before = await time_skipping_env.get_current_time()
    await time_skipping_env.sleep(timedelta(days=31))
    assert await time_skipping_env.get_current_time() - before >= timedelta(days=31)
