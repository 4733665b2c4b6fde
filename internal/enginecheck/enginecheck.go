// Package enginecheck tells whether a Dagger engine session can be opened
// from here, without opening one: the CLI's preflight and every end-to-end
// test ask it, so "no engine" reads the same everywhere.
package enginecheck

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// ErrNotConfigured means neither a session (`dagger run`) nor a runner host
// is set in the environment.
var ErrNotConfigured = errors.New("no Dagger engine: set _EXPERIMENTAL_DAGGER_RUNNER_HOST (and _EXPERIMENTAL_DAGGER_CLI_BIN)")

// Problem returns nil when a session is open (DAGGER_SESSION_PORT) or the
// runner host answers, ErrNotConfigured when neither is set, and an error
// naming the address when the runner host does not answer.
func Problem(lookupEnv func(string) (string, bool)) error {
	if _, ok := lookupEnv("DAGGER_SESSION_PORT"); ok {
		return nil
	}
	host, ok := lookupEnv("_EXPERIMENTAL_DAGGER_RUNNER_HOST")
	if !ok || host == "" {
		return ErrNotConfigured
	}
	if err := Dial(host); err != nil {
		return fmt.Errorf("Dagger engine at _EXPERIMENTAL_DAGGER_RUNNER_HOST=%s does not answer (%v): start it or fix the address", host, err)
	}
	return nil
}

// Dial checks that a unix:// or tcp:// runner host accepts connections;
// other schemes (docker-container://, kube-pod://) are left to the dagger CLI.
func Dial(host string) error {
	scheme, addr, ok := strings.Cut(host, "://")
	if !ok {
		return errors.New("not a URL")
	}
	if scheme != "unix" && scheme != "tcp" {
		return nil
	}
	conn, err := net.DialTimeout(scheme, addr, 3*time.Second)
	if err != nil {
		return err
	}
	return conn.Close()
}
