// Package templates holds tradedash's HTML pages and static assets,
// embedded in the binary so that the dashboard needs no file or host
// beside it: ECharts itself is vendored under static/vendor.
package templates

import "embed"

// FS holds the page templates (*.html) and static/ (CSS, JavaScript, the
// vendored ECharts build).
//
//go:embed *.html static
var FS embed.FS
