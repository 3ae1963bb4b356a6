"""Invoice exports for accounting: PDF, XLSX and CSV of an invoice, the call-by-call detail.

One module per format, each a plain function of an invoice (``invoice_pdf``,
``invoice_xlsx``, ``invoice_csv``, ``invoice_detail_chunks``); ``formats`` names them with
their content types and file names, so the API, the admin and the monthly archive serve
exactly the same files.
"""
