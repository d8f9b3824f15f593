package tlsfiles

import (
	"io/fs"
	"syscall"
)

// changeTime is the file's inode change time and inode number, which a replacement by rename or a
// rewrite within the same second and size still changes.
func changeTime(fi fs.FileInfo) [3]int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return [3]int64{st.Ctim.Sec, st.Ctim.Nsec, int64(st.Ino)}
	}
	return [3]int64{}
}
