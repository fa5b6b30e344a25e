package main

import (
	"context"
	"errors"
	"io"
)

// cmdImport is being written (helper): placeholder so the module builds.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("import: not built yet")
}
