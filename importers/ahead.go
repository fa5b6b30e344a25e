package importers

// A worksheet's rows are scanned (unzipped, their XML parsed) in a
// goroutine of their own while the caller turns the rows already scanned
// into observations: scanning was about two thirds of the file side of an
// import, and on a machine with a second core the two halves overlap.

// rowScanner is what scanAhead reads from: sheetScanner's Next.
type rowScanner interface {
	Next() (row int, cells []string, err error)
}

// aheadBatch is how many rows the scanner hands over at a time, and
// aheadBatches how many batches it may have scanned that the reader has
// not taken: a few thousand rows, so that a reader that stops early (a
// bad row, a cancelled import) leaves little work done for nothing.
const (
	aheadBatch   = 256
	aheadBatches = 4
)

// scanAhead runs a rowScanner in a goroutine and returns its rows in
// order, then the error it ended with (io.EOF, errFallback, a damaged
// part), exactly as the scanner gave them; a panic in the scanner is
// raised again in Next, in the reader's goroutine, after the rows
// scanned before it. close stops the goroutine and waits for it: the
// scanner is then the caller's again (to close, or to give up for
// excelize after errFallback).
type scanAhead struct {
	batches chan scanBatch
	stop    chan struct{} // closed by close
	done    chan struct{} // closed when the goroutine has returned
	cur     []scannedRow  // the batch being returned
	end     error         // the scanner's last error, once received
	panic   any           // the scanner's panic, once received
}

// scanBatch is rows, and how the scan ended after them if it did.
type scanBatch struct {
	rows  []scannedRow
	err   error
	panic any
}

func newScanAhead(s rowScanner) *scanAhead {
	a := &scanAhead{batches: make(chan scanBatch, aheadBatches), stop: make(chan struct{}), done: make(chan struct{})}
	go a.run(s)
	return a
}

func (a *scanAhead) run(s rowScanner) {
	defer close(a.done)
	b := scanBatch{rows: make([]scannedRow, 0, aheadBatch)}
	defer func() {
		if p := recover(); p != nil {
			b.panic = p
			a.send(b)
		}
	}()
	for {
		n, cells, err := s.Next()
		if err != nil {
			b.err = err
			a.send(b)
			return
		}
		b.rows = append(b.rows, scannedRow{n, cells})
		if len(b.rows) == aheadBatch {
			if !a.send(b) {
				return
			}
			b = scanBatch{rows: make([]scannedRow, 0, aheadBatch)}
		}
	}
}

// send hands b over, unless the reader has stopped.
func (a *scanAhead) send(b scanBatch) bool {
	select {
	case a.batches <- b:
		return true
	case <-a.stop:
		return false
	}
}

// Next is the scanner's Next, from the goroutine's batches.
func (a *scanAhead) Next() (int, []string, error) {
	for len(a.cur) == 0 {
		switch {
		case a.panic != nil:
			panic(a.panic)
		case a.end != nil:
			return 0, nil, a.end
		}
		b := <-a.batches
		a.cur, a.end, a.panic = b.rows, b.err, b.panic
	}
	r := a.cur[0]
	a.cur = a.cur[1:]
	return r.row, r.cells, nil
}

// close stops the goroutine and waits until it has returned; it may be
// called more than once.
func (a *scanAhead) close() {
	if a.stop == nil {
		return
	}
	close(a.stop)
	<-a.done
	a.stop = nil
}
