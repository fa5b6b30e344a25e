package importers

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// cyrillicCSV is a long table as a Russian-language spreadsheet would save
// it: Cyrillic headers are not among the synonyms, so the headers are
// English and the product names Russian (free-text sectors). The figures
// are synthetic test values.
const cyrillicCSV = "Reporter;Partner;Year;Flow;Product;Value\r\n" +
	"RUS;IND;2021;export;Минеральное топливо, нефть;1000\r\n" +
	"RUS;IND;2021;export;Удобрения;250,5\r\n" +
	"RUS;PAK;2021;import;Хлопок;75\r\n"

// TestWindows1251 reads the same Cyrillic CSV encoded by iconv (the
// system's own converter, run by the test) and by golang.org/x/text's
// encoder: both come out as the UTF-8 text, and the report names the
// encoding. A Windows-1252 file is still read as Windows-1252.
func TestWindows1251(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("iconv", "-f", "UTF-8", "-t", "CP1251")
	cmd.Stdin = strings.NewReader(cyrillicCSV)
	byIconv, err := cmd.Output()
	if err != nil {
		t.Fatalf("iconv: %v", err)
	}
	byXText, err := charmap.Windows1251.NewEncoder().String(cyrillicCSV)
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string][]byte{"iconv": byIconv, "x/text": []byte(byXText)} {
		t.Run(name, func(t *testing.T) {
			if bytes.Equal(raw, []byte(cyrillicCSV)) || !bytes.Contains(raw, []byte{0xD3, 0xE4, 0xEE}) { // "Удо"
				t.Fatalf("not Windows-1251 bytes: % x", raw[:80])
			}
			rep, err := Check(context.Background(), mustReference(t), "ru.csv", bytes.NewReader(raw), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Encoding != encCP1251 || len(rep.Sample) != 3 {
				t.Fatalf("encoding %q, %d rows", rep.Encoding, len(rep.Sample))
			}
			for i, want := range []string{"Минеральное топливо, нефть", "Удобрения", "Хлопок"} {
				if got := rep.Sample[i].Product.Code; got != want {
					t.Errorf("row %d: product %q; want %q", i+2, got, want)
				}
			}
			if rep.Sample[1].ValueUSD != 250.5 {
				t.Errorf("decimal comma: %v", rep.Sample[1].ValueUSD)
			}
		})
	}
	rep := mustCheck(t, "semicolon_cp1252.csv", Options{})
	if rep.Encoding != encCP1252 {
		t.Errorf("semicolon_cp1252.csv read as %q", rep.Encoding)
	}
}

// TestGuessEncoding checks the guess on short texts of each kind, and on a
// file whose first 64 KiB are ASCII: the guess reads further.
func TestGuessEncoding(t *testing.T) {
	t.Parallel()
	enc := func(s string, e *charmap.Charmap) []byte {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tt := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"french", enc("partner;Côte d'Ivoire;Réunion;Türkiye;São Tomé", charmap.Windows1252), encCP1252},
		{"russian", enc("partner;Россия;Индия;Пакистан", charmap.Windows1251), encCP1251},
		{"russian upper case", enc("ПАРТНЁР;РОССИЯ", charmap.Windows1251), encCP1251},
		{"late cyrillic", append(bytes.Repeat([]byte("IND,RUS,2019,export,1\n"), 4000), enc("RUS,IND,2019,export,Хлопок\n", charmap.Windows1251)...), encCP1251},
	} {
		head := tt.raw[:min(len(tt.raw), sniffSize)]
		if got := guessEncoding(head, io.NewSectionReader(bytes.NewReader(tt.raw), 0, int64(len(tt.raw)))); got != tt.want {
			t.Errorf("%s: %q; want %q", tt.name, got, tt.want)
		}
	}
}
