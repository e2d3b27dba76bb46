"""MIME types that carry report content and result records out of executed notebooks.

Notebooks never write report files themselves: they display bundles with these MIME types
(through ``arviointi.report.Emitter``), and the pipeline/renderer read them back from the
executed notebooks. Anything else a notebook prints never reaches a report.
"""

#: a piece of report content: {"kind": str, "section": str, "html": {"fi": str, "en": str}, ...}
REPORT_MIME = "application/vnd.arviointi.report+json"
#: one results.json record (see EffectResults.to_record) per bundle: {"record": {...}}
RECORD_MIME = "application/vnd.arviointi.result+json"
