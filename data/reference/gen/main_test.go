package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// src is the shared reference folder, seen from this package's directory.
const src = "../../../../shared/data/reference"

// TestReferenceFilesAreGenerated checks that data/reference/*.csv are
// exactly what gen writes: nobody edited them by hand, and gen is
// deterministic.
func TestReferenceFilesAreGenerated(t *testing.T) {
	if _, err := os.Stat(src); err != nil {
		t.Fatalf("the shared data folder is needed: %v", err)
	}
	out := t.TempDir()
	if err := run(src, out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{outCountries, outHS} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, committed) {
			t.Errorf("data/reference/%s differs from gen's output; run go generate ./data (-committed +generated):\n%s",
				name, cmp.Diff(string(committed), string(got)))
		}
	}
	again, err := generate(os.DirFS(src))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range again {
		first, _ := os.ReadFile(filepath.Join(out, name))
		if !bytes.Equal(first, b) {
			t.Errorf("%s: a second run wrote different bytes", name)
		}
	}
}

func TestCleanUN(t *testing.T) {
	for in, want := range map[string]string{
		"Bahamas (the)":                    "Bahamas",
		"Holy See (the) *":                 "Holy See",
		"the Cook Islands **":              "Cook Islands",
		"the Democratic Republic of Congo": "Democratic Republic of Congo",
		"Bolivia (Plurinational State of)": "Bolivia (Plurinational State of)",
		"":                                 "",
	} {
		if got := cleanUN(in); got != want {
			t.Errorf("cleanUN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoman(t *testing.T) {
	for in, want := range map[string]int{"I": 1, "IV": 4, "IX": 9, "XIV": 14, "XIX": 19, "XXI": 21, "": 0, "TOTAL": 0} {
		if got := roman(in); got != want {
			t.Errorf("roman(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestAliases(t *testing.T) {
	got := aliases("Russia", []string{"Russian Federation", "", "Russia", " Russian Federation ", "Rossiya"})
	if diff := cmp.Diff([]string{"Rossiya", "Russian Federation"}, got); diff != "" {
		t.Errorf("aliases (-want +got):\n%s", diff)
	}
}

func TestM49Regions(t *testing.T) {
	const header = "ISO3166-1-Alpha-3,Region Code,Region Name,Sub-region Code,Sub-region Name,Intermediate Region Code,Intermediate Region Name\n"
	read := func(body string) *table {
		t.Helper()
		tb, err := readTable(fstest.MapFS{"c.csv": {Data: []byte(header + body)}}, "c.csv")
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	got, err := m49Regions(read("AAA,150,Europe,151,Eastern Europe,,\nBBB,2,Africa,202,Sub-Saharan Africa,11,Western Africa\nCCC,9,Oceania,57,Micronesia,,\nDDD,,,,,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b country) int { return strings.Compare(a.iso3, b.iso3) })
	var keys []string
	for _, c := range got {
		if !c.aggregate || c.comtrade != c.m49 || c.iso2 != "" {
			t.Errorf("%+v: want an aggregate without ISO2, its Comtrade code its M49 code", c)
		}
		keys = append(keys, fmt.Sprintf("%s %d %s %q", c.iso3, c.m49, c.name, c.aliases))
	}
	want := []string{
		`M002 2 Africa ["Africa (M49)"]`, `M009 9 Oceania ["Oceania (M49)"]`, `M011 11 Western Africa ["Western Africa (M49)"]`,
		`M057 57 Micronesia (M49) []`, `M150 150 Europe ["Europe (M49)"]`, `M151 151 Eastern Europe ["Eastern Europe (M49)"]`,
		`M202 202 Sub-Saharan Africa (M49) []`,
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("m49Regions (-want +got):\n%s", diff)
	}
	// base holds the regions m49Renames names, so that each case below
	// fails for its own reason.
	const base = "BBB,2,Africa,202,Sub-Saharan Africa,,\nCCC,9,Oceania,57,Micronesia,,\n"
	if _, err := m49Regions(read(base + "AAA,150,Europe,,,,\n")); err != nil {
		t.Errorf("a good file: %v", err)
	}
	for name, body := range map[string]string{
		"two names for one code": base + "AAA,150,Europe,,,,\nDDD,150,Europa,,,,\n",
		"code without a name":    base + "AAA,150,,,,,\n",
		"not a number":           base + "AAA,EU,Europe,,,,\n",
		"the World's code":       base + "AAA,1,World,,,,\n",
		"a renamed region gone":  "BBB,2,Africa,202,Sub-Saharan Africa,,\n",
	} {
		if _, err := m49Regions(read(body)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
