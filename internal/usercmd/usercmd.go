// Package usercmd is `overlook user ...`: manage users in a data
// directory, whether or not a server is running on it (the users file is
// changed under a file lock and a running server re-reads it).
package usercmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/distro"
	"github.com/overlook-dev/overlook/internal/extension/overlookext"
)

// Usage lists the subcommands.
const Usage = `  overlook user add  --email E --role admin|editor|viewer --password-file F [--tenant T] [--data DIR] [--config F]
  overlook user list [--data DIR] [--config F]
`

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// Run runs `overlook user <args>`.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user needs a subcommand:\n" + Usage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var src distro.Sources
	fs.Var((*listFlag)(&src.Files), "config", "configuration file, as for serve (repeatable)")
	fs.Var((*listFlag)(&src.Sets), "set", "override one key, as for serve (repeatable)")
	fs.StringVar(&src.DataDir, "data", "", "data directory (default: the configuration's, ./data)")
	email := fs.String("email", "", "the user's email (their login)")
	role := fs.String("role", "", "admin, editor or viewer")
	tenant := fs.String("tenant", "", "the user's tenant (empty: the default tenant)")
	pwFile := fs.String("password-file", "", "file holding the password (- reads standard input)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	src.Custom = os.Getenv(distro.CustomConfigEnv)
	dir, err := dataDir(ctx, src)
	if err != nil {
		return err
	}
	st, closeStore, err := openUsers(ctx, src, dir)
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "add":
		return add(st, *email, *role, *tenant, *pwFile, stdin, stdout)
	case "list":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tROLE\tTENANT\tCREATED")
		for _, u := range st.Users() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.Role, u.Tenant, u.Created.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown user subcommand %q:\n%s", sub, Usage)
}

func add(st *auth.Store, email, roleName, tenant, pwFile string, stdin io.Reader, stdout io.Writer) error {
	if email == "" || roleName == "" || pwFile == "" {
		return errors.New("user add needs --email, --role and --password-file")
	}
	role, err := auth.ParseRole(roleName)
	if err != nil {
		return err
	}
	var raw []byte
	if pwFile == "-" {
		raw, err = io.ReadAll(io.LimitReader(stdin, 4096))
	} else {
		raw, err = os.ReadFile(pwFile)
	}
	if err != nil {
		return fmt.Errorf("read --password-file: %w", err)
	}
	password := strings.TrimRight(string(raw), "\r\n")
	actor := "cli"
	if u, err := user.Current(); err == nil {
		actor = "cli:" + u.Username
	}
	u, err := st.AddUser(auth.NewUser{Email: email, Password: password, Role: role, Tenant: tenant, By: actor})
	audit := st.Audit()
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	aerr := audit.Record(auth.Event{Actor: actor, Action: "user.create", Target: email, Outcome: outcome})
	if err != nil {
		return err
	}
	if aerr != nil {
		return fmt.Errorf("user %s added, but the audit log could not be written: %w", u.Email, aerr)
	}
	where := st.Dir()
	if st.Shared() {
		where = "the shared store (storage::backend: clickhouse)"
	}
	fmt.Fprintf(stdout, "user %s added with role %s in %s (a running server picks it up within a second)\n", u.Email, u.Role, where)
	return nil
}

// openUsers opens the users the configuration's servers use: in the
// ClickHouse database with storage::backend: clickhouse (shared by every
// server on it), else under the data directory.
func openUsers(ctx context.Context, src distro.Sources, dir string) (*auth.Store, func(), error) {
	src.DataDir = dir
	conf, err := distro.Resolve(ctx, src)
	if err != nil {
		return nil, nil, err
	}
	if b, _ := conf.Get("extensions::overlook::storage::backend").(string); !strings.EqualFold(b, "clickhouse") {
		st, err := auth.Open(overlookext.AuthDir(dir))
		return st, func() {}, err
	}
	store, _, err := overlookext.OpenConfigured(ctx, conf, true, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, err
	}
	st, err := overlookext.OpenUsers(store, dir)
	if err != nil {
		_ = store.Close()
		return nil, nil, err
	}
	return st, func() { _ = store.Close() }, nil
}

// dataDir is the data directory the configuration names.
func dataDir(ctx context.Context, src distro.Sources) (string, error) {
	if src.DataDir != "" {
		return src.DataDir, nil
	}
	conf, err := distro.Resolve(ctx, src)
	if err != nil {
		return "", err
	}
	dir, _ := conf.Get("extensions::overlook::storage::directory").(string)
	if dir == "" {
		return "", errors.New("no data directory: pass --data DIR or set extensions::overlook::storage::directory")
	}
	return dir, nil
}
