package data

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// Duplicate is a figure a file states more than once: the same dataset,
// reporter, partner, period, flow and product in two rows. Values in US$
// are the figures' one unit, so the unit is no part of the key.
type Duplicate struct {
	First, Again string // the rows' source references (file, sheet, row)
	// Same is true when both rows state the same value and bound: the
	// later row was left out and the figure is stored once. Otherwise both
	// are stored, and the views show the figure as a conflict between them,
	// as they do for sources that disagree. (Two rows giving one figure
	// from two sources the file names, in a source column, are no
	// duplicate: both are kept, each with its source.)
	Same bool
}

// String says what was found and done, naming both rows.
func (d Duplicate) String() string {
	if d.Same {
		return fmt.Sprintf("%s repeats %s (same figure); stored once", d.Again, d.First)
	}
	return fmt.Sprintf("%s and %s state different figures for the same reporter, partner, period, flow and product; both are stored and shown as a conflict", d.First, d.Again)
}

// maxDuplicatesListed caps the duplicates an import lists; the count is
// always given in full.
const maxDuplicatesListed = 100

// rowKey is the hash of one written observation's key and its place in
// the import (0-based), kept for every row: 16 bytes a row, so that
// finding duplicates costs one sort after the load instead of a map of
// every key or a unique index.
type rowKey struct {
	hash uint64
	seq  uint32
}

// keyHash is FNV-1a over the observation's key columns.
func keyHash(reporter, partner string, start, end int, flow Flow, product int64) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * prime
		}
		h = (h ^ 0xff) * prime // separator: no key's text has 0xff
	}
	addInt := func(v int64) {
		for range 8 {
			h = (h ^ uint64(v&0xff)) * prime
			v >>= 8
		}
	}
	add(reporter)
	add(partner)
	addInt(int64(start))
	addInt(int64(end))
	add(string(flow))
	addInt(product)
	return h
}

// storedRow is what a duplicate check reads back of a candidate row.
type storedRow struct {
	id                      int64
	reporter, partner, flow string
	start, end              int
	product                 int64
	value                   float64
	bound, sourceRef        string
	quantity                sql.NullFloat64
	qtyUnit, sourceQuote    string
}

func (r storedRow) sameKey(o storedRow) bool {
	return r.reporter == o.reporter && r.partner == o.partner && r.start == o.start && r.end == o.end && r.flow == o.flow && r.product == o.product
}

// sameFigure compares what the rows state; their source references are
// compared by sameSource.
func (r storedRow) sameFigure(o storedRow) bool {
	return r.value == o.value && r.bound == o.bound && r.quantity == o.quantity && r.qtyUnit == o.qtyUnit && r.sourceQuote == o.sourceQuote
}

// sameSource: references that are the rows' places in one file ("f.csv,
// row 3" and "f.csv, row 9") always differ and count as one source;
// references a file states itself (a source column) must be equal. Two
// stated sources giving one figure are not a repeat: both rows are kept,
// and the views show the figure once with both sources.
func (r storedRow) sameSource(o storedRow) bool {
	return placeFile(r.sourceRef) == placeFile(o.sourceRef)
}

// placeFile is the file part of a reference to a place in a file, as the
// importers write them ("f.xlsx, sheet S, row 3, column 2019" → "f.xlsx");
// any other reference is returned whole.
func placeFile(ref string) string {
	for _, sep := range []string{", sheet ", ", row "} {
		if i := strings.Index(ref, sep); i > 0 {
			return ref[:i]
		}
	}
	return ref
}

// sortKeysAside sorts the row keys by hash, and rows of one hash in the
// file's order, in a goroutine of its own, so that the sort runs beside
// SQLite's index rebuild; removeDuplicates waits for it. Nothing else
// touches the keys meanwhile.
func (w *observationWriter) sortKeysAside() {
	done := make(chan struct{})
	w.keysSorted = done
	go func() {
		defer close(done)
		slices.SortFunc(w.keys, func(a, b rowKey) int {
			if a.hash != b.hash {
				if a.hash < b.hash {
					return -1
				}
				return 1
			}
			return int(a.seq) - int(b.seq)
		})
	}()
}

// removeDuplicates finds the rows of this import whose key an earlier row
// of it has: rows with the same hash are read back and compared in full.
// A later row stating the same figure is deleted and uncounted from the
// aggregates; rows that disagree are kept. It returns what it found, in
// the file's order, and the pairs whose abs_value must be summed again.
func (w *observationWriter) removeDuplicates() ([]Duplicate, error) {
	<-w.keysSorted // sortKeysAside ran when the load ended
	candidates := false
	for i := 1; i < len(w.keys) && !candidates; i++ {
		candidates = w.keys[i].hash == w.keys[i-1].hash
	}
	if !candidates {
		return nil, nil
	}
	// The import's rows have the ids afterID+1 … afterID+n: they were
	// inserted in order into a table no one else writes during the
	// transaction. Checked, since seq is turned into an id.
	var lo, hi, count int64
	if err := w.tx.QueryRowContext(w.ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), 0), count(*) FROM observations WHERE id > ?`, w.afterID).Scan(&lo, &hi, &count); err != nil {
		return nil, err
	}
	if lo != w.afterID+1 || hi != w.afterID+w.n || count != w.n {
		return nil, fmt.Errorf("duplicate check: the import's %d rows have ids %d to %d (%d rows), not %d to %d", w.n, lo, hi, count, w.afterID+1, w.afterID+w.n)
	}
	get, err := w.tx.PrepareContext(w.ctx, `SELECT id, reporter, partner, period_start, period_end, flow, product_id, value_usd, bound, source_ref, quantity, qty_unit, source_quote
		FROM observations WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	defer get.Close()
	type found struct {
		Duplicate
		seq int64
	}
	var dups []found
	var deleted []storedRow
	for i := 0; i < len(w.keys); {
		j := i + 1
		for j < len(w.keys) && w.keys[j].hash == w.keys[i].hash {
			j++
		}
		if j-i > 1 {
			var rows []storedRow
			for _, k := range w.keys[i:j] {
				var r storedRow
				if err := get.QueryRowContext(w.ctx, w.afterID+1+int64(k.seq)).Scan(&r.id, &r.reporter, &r.partner, &r.start, &r.end, &r.flow, &r.product,
					&r.value, &r.bound, &r.sourceRef, &r.quantity, &r.qtyUnit, &r.sourceQuote); err != nil {
					return nil, err
				}
				rows = append(rows, r)
			}
			// rows are in the file's order (a hash may be shared by
			// different keys). A row that states what an earlier row of
			// its key states, from the same source, is a repeat; else one
			// that differs in figure from an earlier row is a conflict
			// with the first such row; else (one figure from two stated
			// sources) it is neither.
			for a, r := range rows {
				var repeats, conflicts *storedRow
				for e := range rows[:a] {
					first := &rows[e]
					if !first.sameKey(r) {
						continue
					}
					if first.sameFigure(r) {
						if first.sameSource(r) {
							repeats = first
							break
						}
					} else if conflicts == nil {
						conflicts = first
					}
				}
				switch {
				case repeats != nil:
					dups = append(dups, found{Duplicate{First: repeats.sourceRef, Again: r.sourceRef, Same: true}, r.id})
					deleted = append(deleted, r)
				case conflicts != nil:
					dups = append(dups, found{Duplicate{First: conflicts.sourceRef, Again: r.sourceRef}, r.id})
				}
			}
		}
		i = j
	}
	if len(dups) == 0 {
		return nil, nil
	}
	del, err := w.tx.PrepareContext(w.ctx, `DELETE FROM observations WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	defer del.Close()
	for _, r := range deleted {
		if _, err := del.ExecContext(w.ctx, r.id); err != nil {
			return nil, err
		}
		w.agg.remove(r.reporter, r.partner, r.start, r.end, Flow(r.flow), w.totalProducts[r.product])
	}
	w.n -= int64(len(deleted))
	slices.SortFunc(dups, func(a, b found) int { return int(a.seq - b.seq) })
	out := make([]Duplicate, len(dups))
	for i, d := range dups {
		out[i] = d.Duplicate
	}
	return out, nil
}
