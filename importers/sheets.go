package importers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/xuri/excelize/v2"
)

// Sheet is one worksheet of a workbook, as a sheet chooser lists it.
type Sheet struct {
	Name   string
	Hidden bool
}

// Sheets lists the worksheets of the workbook in r (size bytes), in the
// workbook's order, so that a user can choose the one to import
// (Options.Sheet). Anything that is not an Excel zip package, a CSV file
// for one, has no sheets: nil, nil. The workbook is opened with the same
// limits as an import; a workbook that cannot be opened is an *Error.
func Sheets(r io.ReaderAt, size int64) (sheets []Sheet, err error) {
	head := make([]byte, len(zipMagic))
	n, err := r.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read: %w", err)
	}
	if !bytes.HasPrefix(head[:n], zipMagic) {
		return nil, nil
	}
	defer recoverExcelize(&err, "", 0)
	if err := sniffZip(r, size); err != nil {
		return nil, err
	}
	if size > maxUnzipped {
		return nil, &Error{Msg: fmt.Sprintf("the workbook is larger than %d MiB; save the sheet as CSV", maxUnzipped>>20)}
	}
	tmp, err := os.MkdirTemp("", "tradedash-sheets-*")
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	defer os.RemoveAll(tmp)
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size),
		excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxXMLPart, TmpDir: tmp})
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return nil, openError(err)
	}
	for _, name := range f.GetSheetList() {
		sheets = append(sheets, Sheet{Name: name, Hidden: !sheetVisible(f, name)})
	}
	return sheets, nil
}
