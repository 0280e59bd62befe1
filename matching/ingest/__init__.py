"""Data in and out in bulk: spreadsheet imports, match-list exports and the synthetic Leipzig data set.

Owns the import layout (:mod:`.columns`, one column per field, with an Excel template), reading CSV and
.xlsx files into API values (:mod:`.reader`), validating every row (:mod:`.bulk`) and reporting every problem
by row and column (:mod:`.report`); match lists as CSV or Excel (:mod:`.exports`); and the demo's synthetic
job seekers and vacancies (:mod:`.synthetic`). Parsing stores nothing: the service decides what is written.
"""
