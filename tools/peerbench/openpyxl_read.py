"""Reads every row of the first sheet with openpyxl in read-only
(streaming) mode and prints the row count and the seconds taken."""
import sys
import time

import openpyxl

t0 = time.perf_counter()
wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
rows = 0
for row in wb.worksheets[0].iter_rows(values_only=True):
    rows += 1
wb.close()
print(f"openpyxl {rows} {time.perf_counter() - t0:.2f}")
