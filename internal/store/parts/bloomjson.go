package parts

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// bloomWords is a bloom filter's bits as stored in a part's index: a JSON
// string, the words' little-endian bytes in standard base64 (≈ 1.33 B per
// byte of filter). Indexes written before were a JSON array of decimal
// numbers (≈ 2.2 B per byte: 1.07 against 0.57 B per span of bench/ingest's data,
// issue 10's bytes per span); they are still read.
type bloomWords []uint64

// MarshalJSON writes b as a base64 string.
func (b bloomWords) MarshalJSON() ([]byte, error) {
	raw := make([]byte, 8*len(b))
	for i, w := range b {
		binary.LittleEndian.PutUint64(raw[8*i:], w)
	}
	out := make([]byte, 0, base64.StdEncoding.EncodedLen(len(raw))+2)
	out = append(out, '"')
	out = base64.StdEncoding.AppendEncode(out, raw)
	return append(out, '"'), nil
}

// UnmarshalJSON reads a base64 string, or the older array of numbers.
func (b *bloomWords) UnmarshalJSON(data []byte) error {
	if len(data) == 0 || data[0] != '"' {
		var words []uint64 // null, or the array of numbers
		if err := json.Unmarshal(data, &words); err != nil {
			return fmt.Errorf("bloom filter: %w", err)
		}
		*b = words
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("bloom filter: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("bloom filter: %w", err)
	}
	if len(raw)%8 != 0 {
		return fmt.Errorf("bloom filter: %d bytes, not whole 64-bit words", len(raw))
	}
	words := make([]uint64, len(raw)/8)
	for i := range words {
		words[i] = binary.LittleEndian.Uint64(raw[8*i:])
	}
	*b = words
	return nil
}
