// Package charts turns query results from data into Apache ECharts options,
// built with go-echarts. It knows nothing of HTTP or SQL.
//
// An option is handed to the page as JSON data (html/template escapes it
// inside a <script type="application/json"> block) and drawn by tradedash's
// own static JavaScript. go-echarts' Render and RenderSnippet are never
// used: they write labels raw into a <script>, so a country name from an
// uploaded file could run as code. Formatters are named functions in the
// static JavaScript, never code carried in the option.
package charts

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	echarts "github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Chart is one chart ready for a page: its option and the facts the page's
// JavaScript needs to label it honestly (which points are bounds, which
// come from the partner's statistics).
type Chart struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	FileName  string         `json:"file_name"` // for exported images and tables, without extension
	AriaLabel string         `json:"aria_label"`
	Option    map[string]any `json:"option"`
	Meta      Meta           `json:"meta"`
}

// Meta describes a chart's points for tooltips and labels.
type Meta struct {
	Kind     string      `json:"kind"`
	Currency string      `json:"currency"`
	Source   string      `json:"source"`
	Points   []PointMeta `json:"points"`
}

// PointMeta describes one category of the x axis.
type PointMeta struct {
	Label      string `json:"label"`
	Period     string `json:"period"`
	PeriodKind string `json:"period_kind"`
	ReportedBy string `json:"reported_by"`
	Mirror     bool   `json:"mirror"`
	// Notes holds, per series name, "at least", "at most", "derived" or
	// "sources disagree", for the tooltip.
	Notes map[string]string `json:"notes,omitempty"`
	// Detail is one more line for the tooltip, such as a share.
	Detail string `json:"detail,omitempty"`
}

// JSON returns the option as JSON, for golden files and server-side export.
func (c Chart) JSON() ([]byte, error) { return json.Marshal(c.Option) }

// clean makes a string from a data file safe to put in an option: go-echarts'
// "__f__" markers would turn a string into code if any renderer honoured
// them, and control characters have no place in a label.
func clean(s string) string {
	s = strings.ReplaceAll(s, "__f__", "")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// plain turns go-echarts' typed option into plain JSON values, so that it
// can be adjusted where go-echarts has no setting, compared in golden
// files, and marshalled the same way everywhere.
func plain(option map[string]any) map[string]any {
	b, err := json.Marshal(option)
	if err != nil {
		// go-echarts options are plain structs of strings and numbers;
		// finite() keeps NaN out, so this cannot fail on our input.
		panic(fmt.Sprintf("charts: option does not marshal: %v", err))
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("charts: option does not unmarshal: %v", err))
	}
	return out
}

// missing is ECharts' marker for an absent value: no bar, no point, a gap
// in a line.
const missing = "-"

// finite returns v, or the missing marker for NaN and infinities, which
// would blank a whole chart.
func finite(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return missing
	}
	return v
}

func chartID(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('-')
		}
		for _, r := range strings.ToLower(p) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
	}
	return fmt.Sprintf("chart-%s", b.String())
}

// sourceLine is the chart's own source note, drawn at its foot so that any
// image of the chart says where its figures come from.
func sourceLine(source string) map[string]any {
	text := "Source: " + clean(source)
	if r := []rune(text); len(r) > 160 {
		text = string(r[:159]) + "…"
	}
	return map[string]any{
		"type": "text", "left": 10, "bottom": 4, "silent": true,
		"style": map[string]any{"text": text, "fontSize": 11, "fill": "#6e7079"},
	}
}

// safeFileName keeps letters, digits, '-' and '_' so a name from a data
// file can never make a path or a header of a download's name.
func safeFileName(s string) string {
	b := []byte(s)
	out := b[:0]
	for _, c := range b {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "chart"
	}
	return string(out)
}

// common holds the options every chart shares: title, axis tooltip (its
// formatter is our static JS), aria description, no animation (exported
// images must equal what was drawn).
func common(c *Chart, subtitle string) []echarts.GlobalOpts {
	return []echarts.GlobalOpts{
		echarts.WithTitleOpts(opts.Title{Title: c.Title, Subtitle: subtitle, Left: "left"}),
		echarts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		echarts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Label: &opts.AriaLabel{Enabled: opts.Bool(true), Description: c.AriaLabel}}),
		echarts.WithAnimation(false),
	}
}

// columnOptions are for charts with periods along the x axis and US$ up
// the y axis, the legend at the foot above the source line.
func columnOptions(c *Chart, subtitle string) []echarts.GlobalOpts {
	return columnLayout(common(c, subtitle), "US$")
}

// columnLayout places the plot of a chart whose value axis runs up the
// left, its name (the unit) above the plot. The title block is fixed in
// pixels (about 45 px with the subtitle) at every size, so the plot's top
// is too: at 80 px, with the name 10 px above the plot, the name clears
// the subtitle; with ECharts' default gap (15 px) and a top of 70 px it
// ran into it at every size, most visibly in small images (800×450).
func columnLayout(o []echarts.GlobalOpts, unit string) []echarts.GlobalOpts {
	return append(o,
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "24"}),
		echarts.WithGridOpts(opts.Grid{Left: "4%", Right: "4%", Top: "80", Bottom: "84", ContainLabel: opts.Bool(true)}),
		echarts.WithYAxisOpts(opts.YAxis{Name: unit, NameGap: 10, Type: "value"}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0"}}),
	)
}

// ranking fills c with one series of horizontal bars, the first label at
// the top: the shape of every "largest first" chart.
func ranking(c *Chart, subtitle string, labels []string, bars []opts.BarData, source string) {
	bar := echarts.NewBar()
	bar.SetGlobalOptions(append(common(c, subtitle),
		echarts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		echarts.WithGridOpts(opts.Grid{Left: "2%", Right: "6%", Top: "70", Bottom: "40", ContainLabel: opts.Bool(true)}),
		echarts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "US$"}),
		echarts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
	)...)
	bar.SetXAxis(labels).AddSeries("Value", bars).XYReversal()
	finish(c, bar, source)
	// A ranking of one or two bars should not fill the chart with them;
	// go-echarts has no barMaxWidth.
	if series, ok := c.Option["series"].([]any); ok && len(series) > 0 {
		if s, ok := series[0].(map[string]any); ok {
			s["barMaxWidth"] = 36
		}
	}
}

// finish validates a go-echarts chart into c's option and adds the source
// line at its foot.
func finish(c *Chart, ch interface {
	Validate()
	JSON() map[string]interface{}
}, source string) {
	ch.Validate()
	c.Option = plain(ch.JSON())
	c.Option["graphic"] = []any{sourceLine(source)}
}
