#!/bin/sh
# Regenerates the workbooks that other programs write from long.csv:
#   lo_long.xlsx        LibreOffice Calc (soffice --headless --convert-to xlsx)
#   gnumeric_long.xlsx  Gnumeric (ssconvert, Excel 2007+ exporter)
#   lo_wide_pakistan_fy.xlsx  LibreOffice, from ../wide_pakistan_fy.csv
#   mapping_india_2019.xlsx   LibreOffice, from mapping_india_2019.csv
#   lo_wits_india_2019.xlsx   LibreOffice, from ../wits_india_2019.csv
# Not run by `make test`: the committed files are the fixtures, and
# TestXLSXOtherWriters also has this machine's LibreOffice and Gnumeric
# write lo_long.xlsx and gnumeric_long.xlsx afresh. On Debian:
#   apt-get install --no-install-recommends libreoffice-calc gnumeric
# Both writers stamp the time into the files, so the bytes change on every
# run; the cells must not (TestXLSXOtherWriters checks them).
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# LibreOffice names the sheet after the file: copy it to the fixture's name.
# CSV filter options: comma (44), double quote (34), UTF-8 (76), from line 1.
cp long.csv "$tmp/lo_long.csv"
HOME="$tmp" soffice -env:UserInstallation="file://$tmp/profile" --headless \
	--infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$tmp" "$tmp/lo_long.csv" >/dev/null
mv "$tmp/lo_long.xlsx" lo_long.xlsx

cp long.csv "$tmp/gnumeric_long.csv"
HOME="$tmp" ssconvert --import-encoding=UTF-8 --export-type=Gnumeric_Excel:xlsx2 \
	"$tmp/gnumeric_long.csv" gnumeric_long.xlsx 2>/dev/null


# The statistics-office wide table, as LibreOffice saves it. "171,940.0"
# becomes the number 171940 and ".." stays text.
cp ../wide_pakistan_fy.csv "$tmp/lo_wide_pakistan_fy.csv"
HOME="$tmp" soffice -env:UserInstallation="file://$tmp/profile" --headless \
	--infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$tmp" "$tmp/lo_wide_pakistan_fy.csv" >/dev/null
mv "$tmp/lo_wide_pakistan_fy.xlsx" lo_wide_pakistan_fy.xlsx

# A long table whose header detection cannot read on its own: the partner
# is headed "Country" and two columns are values (US$ and thousand US$),
# for the column-mapping tests.
cp mapping_india_2019.csv "$tmp/mapping_india_2019.csv"
HOME="$tmp" soffice -env:UserInstallation="file://$tmp/profile" --headless \
	--infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$tmp" "$tmp/mapping_india_2019.csv" >/dev/null
mv "$tmp/mapping_india_2019.xlsx" mapping_india_2019.xlsx

# A WITS "Download data" table as a workbook: year headers and figures
# become numbers, ".." and "-" stay text, empty cells are absent.
cp ../wits_india_2019.csv "$tmp/lo_wits_india_2019.csv"
HOME="$tmp" soffice -env:UserInstallation="file://$tmp/profile" --headless \
	--infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$tmp" "$tmp/lo_wits_india_2019.csv" >/dev/null
mv "$tmp/lo_wits_india_2019.xlsx" lo_wits_india_2019.xlsx

soffice --version | head -n 1
ssconvert --version | head -n 1
