package parts

import (
	"os"
	"syscall"
)

// dataSyncFile is a WAL segment's file whose Sync is an fdatasync: the
// records are written inside the file's size into a reused file, so there
// is no metadata to commit (an fsync would also write the inode's times
// through the journal).
type dataSyncFile struct{ *os.File }

func (f dataSyncFile) Sync() error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			if err != nil {
				return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}
