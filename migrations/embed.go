// Package migrations holds the database schema as plain SQL files, applied in order by goose and
// embedded in the binary so that `miasta migrate` needs nothing but a database URL.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
