"""Spreadsheet import and export (.xlsx and .csv) for the background jobs.

:mod:`linli.spreadsheets.reading` turns an uploaded table into rows loaded by a marshmallow
schema, with every bad row reported by the row number a person sees in Excel;
:mod:`linli.spreadsheets.writing` streams rows out as .xlsx or .csv with formula injection
neutralised. Neither needs a Flask application context: messages are plain English and
every problem carries a stable ``code`` for the API layer to translate.
"""
