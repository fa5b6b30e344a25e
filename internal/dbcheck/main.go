// Command dbcheck is a test helper: it opens a tradedash database as a
// fresh process would after a crash, runs PRAGMA integrity_check and
// prints, as JSON, what the fault tests (faults_test.go) check. It runs as
// its own process, built without the race detector, because SQLite under
// the race detector is too slow for 100 checks in `make test`.
//
// Usage: dbcheck DB SHA256
package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	_ "modernc.org/sqlite"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: dbcheck DB SHA256")
		os.Exit(2)
	}
	if err := check(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "dbcheck:", err)
		os.Exit(1)
	}
}

func check(path, sha string) error {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	var s struct {
		Integrity string
		DatasetID int64
		RowCount  int64
		Stored    int64
		Sum       float64
		Total     int64
	}
	rows, err := db.Query(`PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return err
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	s.Integrity = strings.Join(lines, "; ")
	err = db.QueryRow(`SELECT id, row_count FROM datasets WHERE sha256 = ?`, sha).Scan(&s.DatasetID, &s.RowCount)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := db.QueryRow(`SELECT count(*), coalesce(sum(value_usd), 0) FROM observations WHERE dataset_id = ?`, s.DatasetID).Scan(&s.Stored, &s.Sum); err != nil {
		return err
	}
	if err := db.QueryRow(`SELECT count(*) FROM observations`).Scan(&s.Total); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(s)
}
