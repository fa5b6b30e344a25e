#!/bin/sh
# Times peer spreadsheet readers and tradedash on the same .xlsx file.
# Not part of `make test`; see README.md beside this file for the setup.
# Usage: tools/peerbench/run.sh FILE.xlsx [RUNS]
set -eu
file=$1
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
peer=${PEERBENCH_DIR:-/tmp/peer}
bin=${TRADEDASH_BIN:-./bin/tradedash}
echo "# $(date -u +%FT%TZ) $(uname -m), $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
echo "# file: $file ($(wc -c <"$file") bytes)"
echo "# reader rows seconds (user+sys CPU seconds)"
cpu() { # runs "$@" and prints its own line with the CPU seconds appended
	/usr/bin/time -f '%U %S' -o "$peer/.time" "$@" | tr '\n' ' '
	awk '{ printf "(cpu %.2f)\n", $1 + $2 }' "$peer/.time"
}
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	NODE_PATH=$peer/node_modules cpu node "$here/sheetjs.js" "$file"
	NODE_PATH=$peer/node_modules cpu node "$here/exceljs.js" "$file"
	PYTHONPATH=$peer/py/usr/lib/python3/dist-packages cpu /usr/bin/python3 "$here/openpyxl_read.py" "$file"
	# tradedash reads, detects and parses every row without storing (the dry run)
	start=$(date +%s.%N)
	/usr/bin/time -f '%U %S' -o "$peer/.time" "$bin" import --dry-run "$file" >/dev/null
	end=$(date +%s.%N)
	echo "tradedash-dry-run - $(echo "$end - $start" | bc) $(awk '{ printf "(cpu %.2f)", $1 + $2 }' "$peer/.time")"
done
echo "# end: $(uptime | sed 's/.*load average/load average/')"
