"""The patient decider: ``decide(state, command, policies) -> events`` and ``evolve(state, event)``.

The patient's state is one fold of their stream (``patient.evolve``); the workflow hosts it,
activities do the I/O, projections read it. The care rules the decider calls live in ``care``.
"""
