//go:build !linux

package tlsfiles

import "io/fs"

// changeTime is unknown here: modification time and size alone tell a changed file.
func changeTime(fs.FileInfo) [3]int64 { return [3]int64{} }
