package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// originalsDir is where the originals of a database's datasets are kept,
// named by their sha256: the server keeps uploads there too
// (newServer), and shows and serves them from there.
func originalsDir(dbPath string) string { return dbPath + ".files" }

// stagedOriginal is a copy of a file about to be imported, written to a
// temporary name in the originals' directory before the import starts,
// so that a directory that cannot take it stops the import before
// anything is written; keep gives it its sha256 name once the dataset is
// stored, and discard removes what was not kept.
type stagedOriginal struct {
	dir, tmp string
}

// stagePrefix starts the temporary names of copies not yet kept.
const stagePrefix = ".import-"

// staleStage is the age after which a temporary copy is taken to be left
// by an import that was killed: none takes a day.
const staleStage = 24 * time.Hour

// stageOriginal copies the file at path into dir under a temporary name,
// and removes the copies that killed imports left there.
func stageOriginal(dir, path string) (*stagedOriginal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	removeStaleStages(dir, time.Now().Add(-staleStage))
	src, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	dst, err := os.CreateTemp(dir, stagePrefix+"*")
	if err != nil {
		return nil, err
	}
	s := &stagedOriginal{dir: dir, tmp: dst.Name()}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.discard()
		if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) {
			err = fmt.Errorf("the disk is full or a file size limit (ulimit -f) is reached: free space or raise the limit, then try again (%w)", err)
		}
		return nil, err
	}
	return s, nil
}

// keep names the copy by the sha256 the dataset records: the import read
// the copy and hashed it as it read, so that is the copy's own.
func (s *stagedOriginal) keep(sum string) error {
	dest := filepath.Join(s.dir, sum)
	if err := os.Rename(s.tmp, dest); err != nil {
		return err
	}
	s.tmp = ""
	// The rename is durable once the directory is written.
	if d, err := os.Open(s.dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// removeStaleStages removes the temporary copies in dir last written
// before cutoff.
func removeStaleStages(dir string, cutoff time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), stagePrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// discard removes the copy unless keep named it.
func (s *stagedOriginal) discard() {
	if s.tmp == "" {
		return
	}
	if err := os.Remove(s.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(os.Stderr, "tradedash: remove %s: %v\n", s.tmp, err)
	}
	s.tmp = ""
}
