"""Readers of the CDR files PBXs write, as they write them (docs/telephony-cdr.md).

Pure functions over text: no ORM. Each reader turns a file into ``CdrRead``: one
``CdrCall`` per call (legs collapsed) and the problems of the lines it could not read,
by line number. ``telephony.cdr_import`` maps and stores what they yield.
"""
