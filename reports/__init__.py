"""The compiled report for the leadership, its statistics and charts, and the public FAQ.

Each module does one job on plain data: `rows` and `stats` read the database (streaming,
so 100,000 questions fit in memory), the writers turn rows into DOCX, XLSX, CSV or HTML.
"""
