"""Pure care rules: Medicare CCM/PCM/APCM eligibility, countable time and billing codes.

No I/O, no Temporal, no asyncpg: facts in, decision out. The workflow, the projections and the
``ccm billing evaluate`` command all call the same functions.
"""
