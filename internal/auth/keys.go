package auth

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeyConfig is one ingestion key: a file holding the secret, and the
// tenant whose data it sends.
type KeyConfig struct {
	KeyFile string `mapstructure:"key_file"`
	Tenant  string `mapstructure:"tenant"`
}

// IngestionKeys checks the keys ingest requests present.
type IngestionKeys struct {
	keys []ingestKey
}

type ingestKey struct {
	secret []byte
	tenant string
}

// MinKeyLength is the shortest ingestion key accepted.
const MinKeyLength = 16

// LoadIngestionKeys reads every key file (surrounding whitespace is
// trimmed). No configs: nil, meaning ingest needs no key.
func LoadIngestionKeys(cfgs []KeyConfig) (*IngestionKeys, error) {
	if len(cfgs) == 0 {
		return nil, nil
	}
	k := &IngestionKeys{}
	var errs []error
	for i, c := range cfgs {
		where := fmt.Sprintf("auth::ingestion_keys[%d]", i)
		if c.KeyFile == "" {
			errs = append(errs, fmt.Errorf("%s: key_file is empty: name a file holding the key", where))
			continue
		}
		raw, err := os.ReadFile(c.KeyFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: read key_file: %w", where, err))
			continue
		}
		secret := strings.TrimSpace(string(raw))
		if len(secret) < MinKeyLength {
			errs = append(errs, fmt.Errorf("%s: the key in %q is %d characters; use at least %d random ones (e.g. `openssl rand -hex 32 > %s`)",
				where, c.KeyFile, len(secret), MinKeyLength, c.KeyFile))
			continue
		}
		k.keys = append(k.keys, ingestKey{secret: []byte(secret), tenant: c.Tenant})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return k, nil
}

// Match returns the tenant of the key presented in an Authorization
// value: "Bearer <key>" or HyperDX's bare "<key>". Every key is compared,
// in constant time, whatever matches.
func (k *IngestionKeys) Match(authorization string) (tenant string, ok bool) {
	presented := []byte(BearerOrBare(authorization))
	for _, key := range k.keys {
		if subtle.ConstantTimeCompare(presented, key.secret) == 1 && !ok {
			tenant, ok = key.tenant, true
		}
	}
	return tenant, ok
}

// BearerOrBare strips an optional "Bearer " scheme from an Authorization
// header value.
func BearerOrBare(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return v
}

// ErrNoKey and ErrWrongKey are the two ways an ingest request is refused.
var (
	ErrNoKey    = errors.New("this server requires an ingestion key: send `Authorization: Bearer <key>` (or HyperDX's `authorization: <key>`); keys are configured under extensions::overlook::auth::ingestion_keys")
	ErrWrongKey = errors.New("the ingestion key sent is not one this server accepts: check the key your exporter sends against extensions::overlook::auth::ingestion_keys")
)

// Check returns the tenant of the request's key, or ErrNoKey/ErrWrongKey.
func (k *IngestionKeys) Check(authorization string) (string, error) {
	if strings.TrimSpace(authorization) == "" {
		return "", ErrNoKey
	}
	t, ok := k.Match(authorization)
	if !ok {
		return "", ErrWrongKey
	}
	return t, nil
}
