package data

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// codedError stands for the driver's error, which data only knows by its
// Code method.
type codedError struct {
	code int
	msg  string
}

func (e codedError) Error() string { return e.msg }
func (e codedError) Code() int     { return e.code }

func TestExplainStorage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err  error
		want string // "" for an error that passes unchanged
	}{
		{codedError{13, "database or disk is full"}, "its disk is full"},
		{codedError{778, "disk I/O error (778)"}, "file size limit (ulimit -f)"}, // SQLITE_IOERR_WRITE
		{codedError{5, "database is locked"}, "another program is writing to it"},
		{codedError{517, "database is locked"}, "another program is writing to it"}, // SQLITE_BUSY_SNAPSHOT
		{codedError{8, "attempt to write a readonly database"}, "it is read-only"},
		{codedError{19, "UNIQUE constraint failed"}, ""},
		{codedError{1, "SQL logic error"}, ""},
		{context.Canceled, ""},
		{errors.Join(ErrInvalid, codedError{2067, "UNIQUE constraint failed"}), ""},
	} {
		got := explainStorage("/srv/t.db", tt.err)
		if tt.want == "" {
			if got != tt.err {
				t.Errorf("%v: became %v; want it unchanged", tt.err, got)
			}
			continue
		}
		if !errors.Is(got, ErrStorage) || !errors.Is(got, tt.err) || !strings.Contains(got.Error(), "/srv/t.db: ") ||
			!strings.Contains(got.Error(), tt.want) || !strings.Contains(got.Error(), tt.err.Error()) {
			t.Errorf("%v: became %q; want ErrStorage wrapping it, naming the file and saying %q", tt.err, got, tt.want)
		}
	}
	// Through a join, as inTx returns a failed step with its rollback.
	if err := explainStorage("/srv/t.db", errors.Join(codedError{13, "full"}, nil)); !errors.Is(err, ErrStorage) {
		t.Errorf("joined: %v", err)
	}
	if explainStorage("x", nil) != nil {
		t.Error("nil became an error")
	}
}
