package importers

import "tradedash/data"

// keyTable numbers the distinct values of one part of the observations'
// keys (reporters, partners, flows, periods, products) in the order they
// are first seen. The report's sets and the totals check key their maps
// by these numbers: hashing a struct of four strings and a period on
// every row was a large share of reading a file, and a long table repeats
// each value over many rows, mostly in runs, which the last value
// remembered answers without hashing at all.
type keyTable[K comparable] struct {
	ids    map[K]uint32
	keys   []K // by number
	last   K
	lastID uint32
}

// id is k's number, given on first sight.
func (t *keyTable[K]) id(k K) uint32 {
	if len(t.keys) > 0 && k == t.last {
		return t.lastID
	}
	id, ok := t.ids[k]
	if !ok {
		if t.ids == nil {
			t.ids = map[K]uint32{}
		}
		id = uint32(len(t.keys))
		t.ids[k] = id
		t.keys = append(t.keys, k)
	}
	t.last, t.lastID = k, id
	return id
}

// productCode is a product as the totals check tells products apart.
type productCode struct {
	class data.ProductClassification
	code  string
}

// keyIDs are the tables of one file's observations. Reporters and
// partners have a table each, so that each keeps its own last value
// (the partner of a sorted extract changes far less often than the
// reporter, or the other way round).
type keyIDs struct {
	reporters, partners keyTable[string]
	flows               keyTable[data.Flow]
	periods             keyTable[data.Period]
	products            keyTable[productCode]
}

// obsKey is an observation's reporter, partner, flow and period by number.
type obsKey struct {
	reporter, partner, flow, period uint32
}

func (k *keyIDs) of(o data.Observation) obsKey {
	return obsKey{
		reporter: k.reporters.id(o.Reporter),
		partner:  k.partners.id(o.Partner),
		flow:     k.flows.id(o.Flow),
		period:   k.periods.id(o.Period),
	}
}

// pair is a reporter and partner as one map key.
func (k obsKey) pair() uint64 { return uint64(k.reporter)<<32 | uint64(k.partner) }
