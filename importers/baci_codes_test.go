package importers

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustCountryCodes reads a BACI country-codes file from testdata.
func mustCountryCodes(tb testing.TB, name string) *BACICountryCodes {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	c, err := ReadBACICountryCodes(mustReference(tb), name, f)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestBACICountryCodes reads a BACI file whose codes need BACI's own list:
// 58 (Belgium-Luxembourg, BACI's code before 1999) is no ISO or Comtrade
// code, so without the list the row is refused, naming the option; with
// it, 58 is Belgium. 490, "N/A" in the list, stays the reference's reading.
func TestBACICountryCodes(t *testing.T) {
	t.Parallel()
	codes := mustCountryCodes(t, "baci_country_codes.csv")
	if codes.Len() != 7 {
		t.Errorf("%d codes; want 7", codes.Len())
	}
	_, err := parse(t, "baci_codes_madeup.csv", mustReadTestdata(t, "baci_codes_madeup.csv"), Options{})
	if e := asError(t, err); e.Row != 2 || e.Column != "i" || e.Value != "58" || !strings.Contains(e.Msg, "--country-codes") {
		t.Errorf("without the list: %v", err)
	}
	rep := mustCheck(t, "baci_codes_madeup.csv", Options{CountryCodes: codes})
	var got []string
	for _, o := range rep.Sample {
		got = append(got, o.Reporter+"-"+o.Partner)
	}
	if strings.Join(got, " ") != "BEL-RUS IND-BEL TWN-PAK" || rep.Sample[0].ValueUSD != 10500 {
		t.Errorf("pairs %v, first value %v", got, rep.Sample[0].ValueUSD)
	}
	want := "country codes read with baci_country_codes.csv (7 codes); codes it gives a country that ISO/Comtrade codes alone would not: 58 Belgium-Luxembourg → BEL"
	if strings.Join(rep.Details, "\n") != want {
		t.Errorf("details %q; want %q", rep.Details, want)
	}

	// A code the list names but tradedash has no country for.
	_, err = Check(context.Background(), mustReference(t), "b.csv", strings.NewReader("t,i,j,k,v,q\n1990,200,643,020130,1,\n"), Options{CountryCodes: codes})
	if e := asError(t, err); e.Row != 2 || !strings.Contains(e.Msg, `baci_country_codes.csv lists code 200 as "Czechoslovakia", which has no country tradedash knows`) {
		t.Errorf("Czechoslovakia: %v", err)
	}
}

// TestBACICountryCodesFileImported: the country-codes file given as the
// data file is recognised and refused with what to do instead.
func TestBACICountryCodesFileImported(t *testing.T) {
	t.Parallel()
	_, err := Import(context.Background(), mustStore(t), "baci_country_codes.csv", mustOpen(t, "baci_country_codes.csv"), Options{})
	if e := asError(t, err); !strings.Contains(e.Msg, "this is CEPII BACI's country-codes file") || !strings.Contains(e.Msg, "--country-codes") {
		t.Errorf("error %v", err)
	}
}

// TestReadBACICountryCodesRefuses: a file that is not the list.
func TestReadBACICountryCodesRefuses(t *testing.T) {
	t.Parallel()
	ref := mustReference(t)
	for _, tt := range []struct{ file, want string }{
		{"t,i,j,k,v,q\n", `the header is ["t" "i" "j" "k" "v" "q"]`},
		{strings.Join(baciCodesHeader, ",") + "\nx,A,A,AA,AAA\n", `row 2, column "country_code": "x" is not a numeric country code`},
		{strings.Join(baciCodesHeader, ",") + "\n4,A,A,AF,AFG\n004,A,A,AF,AFG\n", "row 3, column \"country_code\": code 4 is listed twice"},
		{strings.Join(baciCodesHeader, ",") + "\n", "lists no codes"},
	} {
		_, err := ReadBACICountryCodes(ref, "c.csv", strings.NewReader(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "c.csv: ") {
			t.Errorf("%q: %v; want %q", tt.file, err, tt.want)
		}
	}
}

// mustReadTestdata reads a file from testdata.
func mustReadTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
