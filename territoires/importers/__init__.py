"""Import initiatives from the committee's CSV and XLSX spreadsheets.

Public entry points: ``territoires.importers.pipeline.import_file`` (used by the CLI and the
import page) and ``territoires.importers.pipeline.prepare_import`` (pure: table in, plan out).
"""
