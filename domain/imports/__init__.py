"""Import of spreadsheets and export of lists (capability 11): the pure rules.

`columns` says which fields a file may carry and how headers map to them, `cells` repairs
what Excel does to values (or reports it), `rows` turns one spreadsheet row into a customer
draft with the API's own validation, `plan` finds duplicates and decides per row what an
import mode does, `service` runs an import over the ports."""
