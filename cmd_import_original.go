package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
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
	dir, tmp, sum string
}

// stageOriginal copies the file at path into dir under a temporary name.
func stageOriginal(dir, path string) (*stagedOriginal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	src, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	dst, err := os.CreateTemp(dir, ".import-*")
	if err != nil {
		return nil, err
	}
	s := &stagedOriginal{dir: dir, tmp: dst.Name()}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(dst, h), src)
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
	s.sum = hex.EncodeToString(h.Sum(nil))
	return s, nil
}

// keep names the copy by the sha256 the dataset records. A file that
// changed while it was read is not kept: its copy would not be the bytes
// the dataset came from.
func (s *stagedOriginal) keep(sum string) error {
	if sum != s.sum {
		return errors.New("the file changed while it was imported, so the copy taken before is not the file the dataset holds")
	}
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
