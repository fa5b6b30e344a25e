package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

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
