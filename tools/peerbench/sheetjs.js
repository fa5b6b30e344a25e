// Reads every row of the first sheet with SheetJS (npm "xlsx") and prints
// the row count and the seconds taken, file read included.
const XLSX = require("xlsx");
const t0 = process.hrtime.bigint();
const wb = XLSX.readFile(process.argv[2], { dense: true });
const rows = XLSX.utils.sheet_to_json(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: false });
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`sheetjs ${rows.length} ${s.toFixed(2)}`);
