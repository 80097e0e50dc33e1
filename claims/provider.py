"""The billing provider and the trading partners an 837P names: practice settings, from the
environment (``CCM_BILLING_*``), because they are the practice's identity with its payer, not
facts of any patient; a multi-practice deployment runs one export per practice's settings.

Defaults are obviously synthetic (an NPI with a valid check digit, a 9-digit test tax id), so a
demo exports a well-formed file that no payer would take for a real one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PREFIX = "CCM_BILLING_"
Text = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9 .,&'/-]+$")]


class BillingProvider(BaseModel):
    """Who bills (loop 2010AA), who submits (1000A), who receives (1000B), the payer (2010BB)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Text = "SYNTHETIC CARE PRACTICE"
    npi: Annotated[str, Field(pattern=r"^[0-9]{10}$")] = "1234567893"
    tax_id: Annotated[str, Field(pattern=r"^[0-9]{9}$")] = "999999999"
    address: Text = "1 TEST WAY"
    city: Text = "TESTVILLE"
    state: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "MD"
    zip: Annotated[str, Field(pattern=r"^[0-9]{9}$")] = "212440001"
    taxonomy: Annotated[str, Field(pattern=r"^[0-9A-Z]{10}$")] = "207Q00000X"
    contact_phone: Annotated[str, Field(pattern=r"^[0-9]{10}$")] = "5555550100"
    submitter_id: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,15}$")] = "CCMSUBMITTER"
    receiver_id: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,15}$")] = "CLEARINGHOUSE"
    receiver_name: Text = "TEST CLEARINGHOUSE"
    payer_id: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,15}$")] = "MEDICARE"
    payer_name: Text = "MEDICARE PART B"
    place_of_service: Annotated[str, Field(pattern=r"^[0-9]{2}$")] = "11"  # office (domain §7)
    usage: Annotated[str, Field(pattern=r"^[PT]$")] = "T"  # ISA15: T test, P production

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BillingProvider:
        """``CCM_BILLING_<FIELD>`` variables over the defaults; raises ``ProviderSettingError``
        naming the variable whose value does not fit (the value is not echoed)."""
        source = os.environ if env is None else env
        given = {
            f: source[PREFIX + f.upper()] for f in cls.model_fields if PREFIX + f.upper() in source
        }
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            field = str(exc.errors()[0]["loc"][0])
            raise ProviderSettingError(f"{PREFIX}{field.upper()}: not a valid value") from None


class ProviderSettingError(ValueError):
    """A billing setting does not parse; names the variable."""
