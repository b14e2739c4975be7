"""Import of a commune's existing document system: its master list (danh mục tài liệu, .xlsx or
.csv) and the files it names (a folder or a .zip) become documents whose versions are in force as
they were issued before qms, by page, command (`qms documents import`) and API.

lists.py reads the list, files.py the folder or .zip, plan.py says what each row would become (the
dry run), services.py writes it and signs it, runs.py runs it in the background for the page.
"""
