package identity

import (
	"bytes"
	"encoding/csv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/miasta-otwarte/miasta/internal/fault"
)

// DecodeUpload turns an uploaded invitation file into the CSV text Import reads: an Excel workbook
// (.xlsx, recognised by its content, not its name: its first sheet), or CSV in UTF-8 (with or
// without a byte order mark) or, when the bytes are not UTF-8, Windows-1250, the encoding Polish
// Excel saves CSV in.
func DecodeUpload(b []byte) (string, error) {
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return xlsxText(b)
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	text, err := charmap.Windows1250.NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(text) {
		return "", fault.Invalidf("file", "the file is neither UTF-8 nor Windows-1250 text nor an Excel workbook")
	}
	return string(text), nil
}

// xlsxText reads a workbook's first sheet as CSV text, one line per row.
func xlsxText(b []byte) (string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return "", fault.Invalidf("file", "the file looks like an Excel workbook but cannot be read as one")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return "", fault.Invalidf("file", "the workbook has no sheet")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return "", fault.Invalidf("file", "the workbook's first sheet cannot be read")
	}
	var out strings.Builder
	w := csv.NewWriter(&out)
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	for _, r := range rows {
		for len(r) < width { // GetRows drops a row's trailing empty cells
			r = append(r, "")
		}
		if err := w.Write(r); err != nil {
			return "", err
		}
	}
	w.Flush()
	return out.String(), w.Error()
}

// separator is the CSV's field separator, judged from its header line: a semicolon (what Excel
// writes where the decimal separator is a comma, as in Poland) when the header has more of them than
// commas, else a comma.
func separator(text string) rune {
	header, _, _ := strings.Cut(text, "\n")
	if strings.Count(header, ";") > strings.Count(header, ",") {
		return ';'
	}
	return ','
}
