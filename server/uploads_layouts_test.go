package server

import (
	"testing"

	"tradedash/importers"
)

// TestLayoutAboutEveryLayout: the upload preview says what made a file
// look like each layout the importers know, so a new layout needs its
// sentence here.
func TestLayoutAboutEveryLayout(t *testing.T) {
	t.Parallel()
	for _, name := range importers.LayoutNames() {
		if layoutAbout[name] == "" {
			t.Errorf("layout %q has no description for the upload preview (layoutAbout)", name)
		}
	}
}
