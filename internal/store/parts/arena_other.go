//go:build !unix

package parts

func allocChunk(n int) ([]byte, error) { return make([]byte, 0, n), nil }

func freeChunk([]byte) error { return nil }
