package importers

import (
	"fmt"
	"strings"

	"tradedash/data"
)

// comtradePlusHeader is the header of a UN Comtrade Plus data file (the
// "Get data" API and the web site's CSV/xlsx download), in its order.
var comtradePlusHeader = []string{"typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period",
	"reporterCode", "reporterISO", "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO", "partnerDesc",
	"partner2Code", "partner2ISO", "partner2Desc", "classificationCode", "classificationSearchCode",
	"isOriginalClassification", "cmdCode", "cmdDesc", "aggrLevel", "isLeaf", "customsCode", "customsDesc", "mosCode",
	"motCode", "motDesc", "qtyUnitCode", "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode", "altQtyUnitAbbr",
	"altQty", "isAltQtyEstimated", "netWgt", "isNetWgtEstimated", "grossWgt", "isGrossWgtEstimated", "cifvalue",
	"fobvalue", "primaryValue", "legacyEstimationFlag", "isReported", "isAggregate"}

// comtradePlusRequired are the columns without which a file is not read
// as Comtrade Plus, whatever else matches: downloads let users drop
// columns, but not these.
var comtradePlusRequired = []string{"freq code", "period", "reporter code", "flow code", "partner code", "cmd code", "primary value"}

// comtradePlus reads UN Comtrade Plus files: the generic long reader (its
// synonyms cover the camelCase names), with the layout's own detection and
// a check that each row's frequency matches its period.
type comtradePlus struct{ *long }

func newComtradePlus(ref *data.Reference, file string, o Options) *comtradePlus {
	l := newLong("comtrade-plus", ref, file, o, nil)
	l.check = checkComtradePlusRow
	return &comtradePlus{l}
}

// Detect scores the best header row among head by how many of Comtrade
// Plus's headers it has; every required one must be there.
func (c *comtradePlus) Detect(head [][]string) (int, string) {
	best, bestRow := -1, -1
	for i, cells := range head {
		has := map[string]bool{}
		for _, h := range cells {
			has[normalizeHeader(h)] = true
		}
		n := 0
		for _, h := range comtradePlusHeader {
			if has[normalizeHeader(h)] {
				n++
			}
		}
		missing := ""
		for _, h := range comtradePlusRequired {
			if !has[h] {
				missing = h
				break
			}
		}
		if missing == "" && n > best {
			best, bestRow = n, i
		}
	}
	if bestRow < 0 {
		return 0, "not Comtrade Plus: no header with freqCode, period, reporterCode, flowCode, partnerCode, cmdCode and primaryValue"
	}
	_, cols, _ := c.findHeader(head[bestRow:])
	if cols == nil {
		return 0, "not Comtrade Plus: the header lacks a column the rows need"
	}
	c.unit = cols.unit
	return 30, fmt.Sprintf("Comtrade Plus: %d of %d headers matched", best, len(comtradePlusHeader))
}

// checkComtradePlusRow checks that an annual row (freqCode A; refMonth 52
// or 99, which Comtrade's documents disagree on) has a calendar year as
// its period and a monthly row (M; period 202301) one month.
func checkComtradePlusRow(r *rowReader, o *data.Observation) *Error {
	freq, freqCol := r.named("freq code")
	month, monthCol := r.named("ref month")
	switch strings.ToUpper(freq) {
	case "A":
		if o.Period.Kind() != data.CalendarYear {
			return &Error{Sheet: r.sheet, Row: r.row, Column: freqCol, Value: freq,
				Msg: fmt.Sprintf("an annual row (freqCode A) has the period %s (expected a year such as 2019)", o.Period.Label())}
		}
		if month != "" && month != "52" && month != "99" && month != "0" {
			return &Error{Sheet: r.sheet, Row: r.row, Column: monthCol, Value: month,
				Msg: fmt.Sprintf("an annual row has refMonth %q (expected 52 or 99)", month)}
		}
	case "M":
		if o.Period.Start != o.Period.End {
			return &Error{Sheet: r.sheet, Row: r.row, Column: freqCol, Value: freq,
				Msg: fmt.Sprintf("a monthly row (freqCode M) has the period %s (expected a month such as 202301)", o.Period.Label())}
		}
	case "":
	default:
		return &Error{Sheet: r.sheet, Row: r.row, Column: freqCol, Value: freq, Msg: fmt.Sprintf("%q is not a Comtrade frequency (expected A or M)", freq)}
	}
	return nil
}
