//go:build !linux

package parts

import "os"

// dataSyncFile is a WAL segment's file; outside Linux its Sync is an
// fsync (datasync_linux.go).
type dataSyncFile struct{ *os.File }
