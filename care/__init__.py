"""Pure care rules: Medicare CCM/PCM/APCM eligibility, countable time and billing codes.

No I/O, no Temporal, no asyncpg: facts in, decision out. The workflow, the projections and the
``ccm billing evaluate`` command all call the same functions. The data tables are read at import.

In a Temporal workflow, import ``care`` passed through the sandbox (``with
workflow.unsafe.imports_passed_through():`` or ``with_passthrough_modules("care")`` on the
``SandboxRestrictions``): otherwise the sandbox's restricted ``zoneinfo.ZoneInfo`` breaks month
boundaries (checked: ``TypeError ... '_RestrictedProxy'`` without, correct decision with).
"""
