"""Import and export files (.xlsx read with calamine, written with xlsxwriter; .csv) and the
SQL of imports. Everything but repo.py blocks: call it through a thread pool."""
