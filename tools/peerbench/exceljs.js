// Streams every row of the first sheet with exceljs's WorkbookReader and
// prints the row count and the seconds taken.
const ExcelJS = require("exceljs");
(async () => {
  const t0 = process.hrtime.bigint();
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(process.argv[2], { sharedStrings: "cache", worksheets: "emit" });
  let rows = 0;
  for await (const ws of reader) {
    for await (const row of ws) {
      row.values;
      rows++;
    }
    break;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`exceljs ${rows} ${s.toFixed(2)}`);
})();
