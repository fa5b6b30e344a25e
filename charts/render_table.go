package charts

import (
	"fmt"
	"strings"
)

// ChartTable is the data a chart draws, read back from its option: one row
// per category of its category axis, one money column per series, with the
// chart's title, source and query in About. It serves the views that have
// no table of their own, so that every chart's figures can be downloaded
// as exactly what was drawn. about is added after the title and source.
func ChartTable(c Chart, about [][2]string) (Table, error) {
	cats, err := categories(c.Option)
	if err != nil {
		return Table{}, fmt.Errorf("charts: table of %q: %w", c.ID, err)
	}
	t := Table{Title: c.Title, FileName: c.FileName, Columns: []Column{{Name: "category"}}}
	t.About = append([][2]string{{"Chart", c.Title}, {"Source", c.Meta.Source}, {"Currency", c.Meta.Currency}}, about...)
	series, _ := c.Option["series"].([]any)
	var values [][]Cell
	for i, s := range series {
		sm, _ := s.(map[string]any)
		name, _ := sm["name"].(string)
		if name == "" {
			name = fmt.Sprintf("series %d", i+1)
		}
		t.Columns = append(t.Columns, Column{Name: name, Money: c.Meta.Currency == "USD"})
		points, _ := sm["data"].([]any)
		col := make([]Cell, len(cats))
		for j := range min(len(points), len(cats)) {
			col[j] = pointCell(points[j])
		}
		values = append(values, col)
	}
	for i, cat := range cats {
		row := []Cell{text(strings.ReplaceAll(cat, "\n", " "))}
		for _, col := range values {
			row = append(row, col[i])
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// categories returns the labels of the option's category axis (x, or y
// for horizontal bars).
func categories(option map[string]any) ([]string, error) {
	for _, key := range []string{"xAxis", "yAxis"} {
		axes, _ := option[key].([]any)
		if m, ok := option[key].(map[string]any); ok {
			axes = []any{m}
		}
		for _, a := range axes {
			am, _ := a.(map[string]any)
			if am["type"] != "category" {
				continue
			}
			raw, _ := am["data"].([]any)
			out := make([]string, 0, len(raw))
			for _, v := range raw {
				switch x := v.(type) {
				case string:
					out = append(out, x)
				case map[string]any:
					out = append(out, fmt.Sprint(x["value"]))
				default:
					out = append(out, fmt.Sprint(x))
				}
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("no category axis")
}

// pointCell is one series point: a number, or an empty cell for ECharts'
// missing marker.
func pointCell(p any) Cell {
	if m, ok := p.(map[string]any); ok {
		p = m["value"]
	}
	switch v := p.(type) {
	case float64:
		return num(v)
	case int:
		return num(float64(v))
	}
	return Cell{}
}
