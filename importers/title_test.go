package importers

import (
	"context"
	"strings"
	"testing"
)

// TestTitles reads reporter, flow and partner from title rows as
// statistics offices word them.
func TestTitles(t *testing.T) {
	t.Parallel()
	w := newWide(mustReference(t), "t.csv", Options{})
	for _, tt := range []struct {
		title                   string
		reporter, flow, partner string
	}{
		{"Pakistan: exports to selected countries", "PAK", "export", ""},
		{"India - imports from World", "IND", "import", "WLD"},
		{"Pakistan's exports to Russia", "PAK", "export", "RUS"},
		{"Pakistan’s exports to Russia, 2019-2023", "PAK", "export", "RUS"},
		{"Exports of Pakistan to the Russian Federation (US$ million)", "PAK", "export", "RUS"},
		{"Total exports of India to China by commodity", "IND", "export", "CHN"},
		{"Imports of India from the Russian Federation during 2022-23", "IND", "import", "RUS"},
		{"Table 3.2: India's imports from China", "IND", "import", "CHN"},
		{"Trade between India and Russia", "IND", "", "RUS"},
		{"India's trade with Pakistan (value in US$ thousand)", "IND", "", "PAK"},
		{"Re-exports of Pakistan to China.", "PAK", "re-export", "CHN"},
		{"Value in thousand US$", "", "", ""},
		{"Exports of Atlantis to Russia", "", "", ""},
	} {
		got := w.fromTitle([][]string{{tt.title}}, func(i int) int { return i + 1 })
		if got.reporter != tt.reporter || got.flow != tt.flow || got.partner != tt.partner {
			t.Errorf("%q: reporter %q, flow %q, partner %q; want %q, %q, %q", tt.title, got.reporter, got.flow, got.partner, tt.reporter, tt.flow, tt.partner)
		}
	}
}

// TestTitleWithoutFlow: a wide table titled "Trade between India and
// Russia" has its reporter and partner but not the flow: --flow is asked
// for, naming the title, and with it the table is read.
func TestTitleWithoutFlow(t *testing.T) {
	t.Parallel()
	file := "Trade between India and Russia\n(value in US$ million)\nCommodity,2021,2022\nTOTAL,10,12.5\n"
	_, err := Check(context.Background(), mustReference(t), "t.csv", strings.NewReader(file), Options{})
	if err == nil || !strings.Contains(err.Error(), `t.csv: row 3: the title in row 1, "Trade between India and Russia", does not say whether the figures are exports or imports: give --flow`) {
		t.Fatalf("no flow: %v", err)
	}
	rep, err := Check(context.Background(), mustReference(t), "t.csv", strings.NewReader(file), Options{Flow: "import"})
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Sample; len(s) != 2 || s[0].Reporter != "IND" || s[0].Partner != "RUS" || s[0].Flow != "import" || s[1].ValueUSD != 12.5e6 {
		t.Errorf("with --flow import: %+v", s)
	}
}
