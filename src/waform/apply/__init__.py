"""``waform apply``: execute a plan's writes safely (see :mod:`waform.apply.executor`).

Modules: :mod:`~waform.apply.steps` (requests, ordering, redaction), :mod:`~waform.apply.throttle`
(adaptive pacing), :mod:`~waform.apply.executor` (retries that never duplicate),
:mod:`~waform.apply.matcher` (did a write take effect?), :mod:`~waform.apply.waiter` (``--wait``),
:mod:`~waform.apply.progress` and :mod:`~waform.apply.results` (output).
"""
