"""Link findings (recommendations and concerns) to action-plan rows and report the gaps.

:func:`followthrough.link.report.gap_report` is the entry point; the scoring lives in
:mod:`followthrough.link.matcher`, the glossary in ``data/glossary.json``.
"""
