"""Reads every row of the first sheet with openpyxl in read-only
(streaming) mode and prints the row count and the seconds taken."""
import sys
import time

import openpyxl

t0 = time.perf_counter()
wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
ws = wb.worksheets[0]
# Streamed files often state a wrong <dimension> (excelize's StreamWriter
# writes A1): without this, read-only mode stops after the first row.
ws.reset_dimensions()
rows = 0
for row in ws.iter_rows(values_only=True):
    rows += 1
wb.close()
print(f"openpyxl {rows} {time.perf_counter() - t0:.2f}")
