"""``ccm synth``'s generator: a seeded, realistic upstream feed for one synthetic practice.

``generate_feed`` returns the events (the upstream contract, ordered for ingestion), ``plan_feed``
the same with the codes each closed patient-month is designed to bill, ``summarize`` counts a
feed's contents and ``to_jsonl`` serialises it. The designed cases are tabulated in
``cases_tracks``, ``cases_rules`` and ``cases_enrollment``; the rest of the practice in ``typical``.
"""

from upstream.synth.feed import SynthFeed, generate_feed, plan_feed, to_jsonl
from upstream.synth.summary import summarize

__all__ = ["SynthFeed", "generate_feed", "plan_feed", "summarize", "to_jsonl"]
