package importers

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Magic numbers at the start of the containers a "spreadsheet" may come in.
var (
	zipMagic      = []byte("PK\x03\x04")                       // a zip archive: .xlsx, .xlsm, .ods, .docx…
	zipEmptyMagic = []byte("PK\x05\x06")                       // a zip archive with no entries
	cfbMagic      = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // a Compound File: .xls, or an encrypted .xlsx
)

// newRows sniffs the bytes of src and starts the reader they call for: a
// workbook reader for an Excel zip package, the CSV reader for anything
// else, which refuses what is not delimited text. The bytes decide, not
// the name, with one exception: a file named as a workbook (.xlsx, .xlsm,
// …) that is not a zip archive is refused, saying what it is instead, so
// that a download cut short or a page saved as .xlsx is never read as
// text. Office 97–2003 containers are refused here: they must never reach
// excelize, which spends some 20 s of CPU deriving a key for an encrypted
// workbook before it gives up.
func newRows(src *source, name string, o Options) (Rows, error) {
	head := make([]byte, len(cfbMagic))
	n, err := src.reader.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read: %w", err)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, zipEmptyMagic):
		rows, err := newXLSXRows(src, o.Sheet)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return rows, nil
	case bytes.HasPrefix(head, cfbMagic):
		return nil, cfbError(src.reader, src.size)
	}
	rows, err := newCSVRows(io.NewSectionReader(src.reader, 0, src.size), src.validUTF8)
	if ext, ok := workbookName(name); ok {
		return nil, notAWorkbook(ext, err)
	}
	return rows, err
}

// workbookExtensions are the names of the zip workbooks excelize reads.
var workbookExtensions = []string{".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam"}

// workbookName reports whether name ends as a workbook's does, and how.
func workbookName(name string) (string, bool) {
	lower := strings.ToLower(name)
	for _, ext := range workbookExtensions {
		if strings.HasSuffix(lower, ext) {
			return ext, true
		}
	}
	return "", false
}

// notAWorkbook is the error for a file named as a workbook whose bytes
// are not a zip archive; csvErr is what the CSV reader said of them.
func notAWorkbook(ext string, csvErr error) error {
	const what = "the file is named %s but is not an Excel workbook (a workbook is a zip archive, starting with the bytes \"PK\"): "
	if e, ok := errors.AsType[*Error](csvErr); ok {
		return &Error{Msg: fmt.Sprintf(what, ext) + e.Msg}
	}
	if csvErr != nil {
		return fmt.Errorf(what+"%w", ext, csvErr)
	}
	return &Error{Msg: fmt.Sprintf(what, ext) + "it holds delimited text, as a CSV file does; if it is one, name it .csv and import it again"}
}

// Content types of the main part of the workbooks excelize reads
// (.xlsx, .xlsm, .xltx, .xltm, .xlam), and of the binary .xlsb it does not.
var (
	workbookTypes = []string{
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
		"application/vnd.ms-excel.sheet.macroenabled.main+xml",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
		"application/vnd.ms-excel.template.macroenabled.main+xml",
		"application/vnd.ms-excel.addin.macroenabled.main+xml",
	}
	xlsbType = "application/vnd.ms-excel.sheet.binary.macroenabled.main"
)

// sniffZip reads the directory of a zip archive and says what it holds:
// nil error for an Excel workbook (its [Content_Types].xml declares a
// spreadsheetml workbook), else an *Error naming what it is instead.
func sniffZip(r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return &Error{Msg: fmt.Sprintf("this looks like a zip archive (an .xlsx workbook?), but it is damaged or incomplete (%v); was the download or upload cut short? Save or download it again", err)}
	}
	if len(zr.File) == 0 {
		return &Error{Msg: "this is an empty zip archive, not a workbook or a CSV file"}
	}
	var contentTypes, mimetype []byte
	for _, f := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		switch {
		case name == "[content_types].xml":
			contentTypes, err = readZipPart(f, 1<<20)
		case name == "mimetype":
			mimetype, err = readZipPart(f, 256)
		}
		if err != nil {
			return &Error{Msg: fmt.Sprintf("the zip archive is damaged: %s: %v", f.Name, err)}
		}
	}
	ct := bytes.ToLower(contentTypes)
	switch {
	case bytes.HasPrefix(mimetype, []byte("application/vnd.oasis.opendocument.spreadsheet")):
		return &Error{Msg: "this is an OpenDocument spreadsheet (.ods): OpenDocument spreadsheets are not supported yet; save as .xlsx or CSV"}
	case bytes.HasPrefix(mimetype, []byte("application/vnd.oasis.opendocument.")):
		return &Error{Msg: fmt.Sprintf("this is an OpenDocument file (%s), not a spreadsheet", bytes.TrimSpace(mimetype))}
	case containsAny(ct, workbookTypes):
		return checkParts(zr)
	case bytes.Contains(ct, []byte(xlsbType)):
		return &Error{Msg: "this is an Excel binary workbook (.xlsb), which is not supported; save as .xlsx or CSV"}
	case contentTypes != nil:
		return &Error{Msg: "this is an Office document (Word or PowerPoint?), not an Excel workbook"}
	}
	return &Error{Msg: "this is a zip archive, not a workbook or a CSV file; unzip it and import the file inside"}
}

// checkParts unzips every part of a workbook once, to io.Discard, and
// says which one is damaged. excelize ignores an error while it unzips a
// part and keeps what came before it: a part whose header understates its
// size (archive/zip stops there) or whose checksum is wrong would be read
// cut short, and the rows before the cut imported as if they were all.
// The sizes the parts declare are checked first, so that no more than
// maxUnzipped is ever unzipped here.
func checkParts(zr *zip.Reader) error {
	var total uint64
	for _, f := range zr.File {
		if streamedPart(f) { // a big worksheet, streamed by the sheet scanner (xlsx_fast.go)
			if f.UncompressedSize64 > maxStreamedSheet {
				return &Error{Msg: fmt.Sprintf("the worksheet %s unzips to more than %d GiB, more than this importer reads; save the sheet as CSV", f.Name, maxStreamedSheet>>30)}
			}
			continue
		}
		total += f.UncompressedSize64
		if total > maxUnzipped {
			return &Error{Msg: fmt.Sprintf("the workbook unzips to more than %d MiB, more than this importer reads; save the sheet as CSV", maxUnzipped>>20)}
		}
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || streamedPart(f) { // the scanner checks a streamed part as it reads it
			continue
		}
		rc, err := f.Open()
		if err == nil {
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
		}
		if err != nil {
			return &Error{Msg: fmt.Sprintf("the workbook is damaged: its part %s cannot be unzipped (%v); save or download it again", f.Name, err)}
		}
	}
	return nil
}

// readZipPart reads at most limit bytes of a part.
func readZipPart(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit))
}

func containsAny(b []byte, subs []string) bool {
	for _, s := range subs {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// cfbError says what an Office 97–2003 Compound File is, from the names of
// its streams. An encrypted .xlsx is such a container (streams
// EncryptionInfo and EncryptedPackage), a .xls has a Workbook (or, before
// Excel 97, a Book) stream.
//
// No CFB library is needed for that: the directory is an array of
// 128-byte entries, each starting with its name in UTF-16LE (64 bytes),
// the name's length in bytes at 0x40 and the entry type at 0x42, in
// sectors aligned to 512 bytes after the 512-byte header. Every aligned
// 128-byte block is tried as an entry, so that the directory's sector
// chain need not be followed; the whole file is scanned at most once.
func cfbError(r io.ReaderAt, size int64) error {
	names := map[string]string{ // upper-case stream name -> what it means
		"ENCRYPTEDPACKAGE": "encrypted", "ENCRYPTIONINFO": "encrypted",
		"WORKBOOK": "xls", "BOOK": "xls",
	}
	found := ""
	br := bufio.NewReaderSize(io.NewSectionReader(r, 512, max(size-512, 0)), 64<<10)
	var e [128]byte
	for found != "encrypted" {
		if _, err := io.ReadFull(br, e[:]); err != nil {
			break // the end, or a short final block: no more entries
		}
		if what, ok := names[strings.ToUpper(cfbEntryName(e[:]))]; ok && e[0x42] == 2 { // 2: a stream
			found = what
		}
	}
	switch found {
	case "encrypted":
		return &Error{Msg: "this workbook is password-protected; remove the password in Excel (File › Info › Protect Workbook › Encrypt with Password) and save again"}
	case "xls":
		return &Error{Msg: "this is a legacy Excel workbook: .xls (Excel 97–2003) is not supported; save as .xlsx or CSV"}
	}
	return &Error{Msg: "this is an Office 97–2003 file (Word, PowerPoint or Outlook?), not a workbook this build can read; save the table as .xlsx or CSV"}
}

// cfbEntryName decodes the name of a CFB directory entry, or returns ""
// when the block cannot be one.
func cfbEntryName(e []byte) string {
	n := int(e[0x40]) | int(e[0x41])<<8 // bytes, with the terminating NUL
	if n < 4 || n > 64 || n%2 != 0 || e[n-2] != 0 || e[n-1] != 0 {
		return ""
	}
	u := make([]uint16, 0, n/2-1)
	for i := 0; i < n-2; i += 2 {
		c := uint16(e[i]) | uint16(e[i+1])<<8
		if c == 0 {
			return ""
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}
