package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"tradedash/data"
)

// cmdBackup copies the database with VACUUM INTO. It opens the file
// without data.Open, so that it neither migrates nor writes to it: a new
// binary can back up a database before its first start upgrades it, and
// a running server is not disturbed.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, db := newFlagSet("backup", stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tradedash backup [--db ./tradedash.db] FILE\n\nWrites a consistent copy of the database to FILE, which must not exist; the server may keep running.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("backup: give exactly one destination FILE: %w", flag.ErrHelp)
	}
	dest := fs.Arg(0)
	if err := data.BackupFile(ctx, *db, dest); err != nil {
		return err
	}
	st, err := os.Stat(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes)\n", *db, dest, st.Size())
	return nil
}
