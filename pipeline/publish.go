package pipeline

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"dagger.io/dagger"
)

// Registry says where images are pushed and how to log in.
type Registry struct {
	// Repository is the image repository without a tag, e.g.
	// registry.gitlab.com/acme/shop, acme.azurecr.io/shop or 127.0.0.1:5000/shop.
	Repository string
	// Username to log in with; empty pushes anonymously.
	Username string
	// Password is the registry password or token.
	Password *dagger.Secret
}

// Published is one pushed reference.
type Published struct {
	// Ref is repository:tag.
	Ref string
	// Digest is the manifest digest (sha256:...).
	Digest string
}

// String is ref@digest, the form a deploy should use.
func (p Published) String() string { return p.Ref + "@" + p.Digest }

// ErrRegistryAuth is wrapped by Publish errors caused by refused credentials.
var ErrRegistryAuth = errors.New("registry refused the credentials")

// PublishRetries and PublishBackoff bound the retries of a transient push failure.
var (
	PublishRetries = 4
	PublishBackoff = time.Second
)

// Publish pushes the image (every platform as one manifest list) under each
// tag, retrying transient failures with exponential backoff.
func (p *Pipeline) Publish(ctx context.Context, reg Registry, tags []string) ([]Published, error) {
	if err := CheckRepository(reg.Repository); err != nil {
		return nil, err
	}
	if reg.Username != "" && reg.Password == nil {
		return nil, fmt.Errorf("publish %s: registry user %q has no password: set registry.password in onepipe.yaml or --registry-password", reg.Repository, reg.Username)
	}
	imgs := p.Images()
	base := imgs[0]
	var variants []*dagger.Container
	if len(imgs) > 1 {
		base, variants = p.dag.Container(), imgs
	}
	if reg.Password != nil {
		base = base.WithRegistryAuth(RegistryHost(reg.Repository), reg.Username, reg.Password)
	}
	out := make([]Published, 0, len(tags))
	for _, tag := range tags {
		ref := reg.Repository + ":" + tag
		var digestRef string
		err := retry(ctx, PublishRetries, PublishBackoff, func() error {
			var err error
			digestRef, err = base.Publish(ctx, ref, dagger.ContainerPublishOpts{PlatformVariants: variants})
			return err
		})
		if err != nil {
			return out, publishError(ref, err)
		}
		_, digest, _ := strings.Cut(digestRef, "@")
		out = append(out, Published{Ref: ref, Digest: digest})
	}
	return out, nil
}

func publishError(ref string, err error) error {
	err = Explain(err)
	msg := strings.ToLower(err.Error())
	switch {
	case isAuthError(msg):
		return fmt.Errorf("publish %s: %w: check the registry user and password (or token) and that it may push to this repository", ref, ErrRegistryAuth)
	case isTransient(msg):
		return fmt.Errorf("publish %s: registry %s unreachable after %d attempts (%v): check the address and that the registry is up", ref, RegistryHost(ref), PublishRetries, err)
	}
	return fmt.Errorf("publish %s: %w", ref, err)
}

func isAuthError(msg string) bool {
	for _, s := range []string{"401", "403", "unauthorized", "denied", "authentication required", "forbidden"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func isTransient(msg string) bool {
	for _, s := range []string{"connection refused", "connection reset", "i/o timeout", "timeout", "eof",
		"no such host", "502", "503", "504", "429", "too many requests", "tls handshake", "temporary"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// retry calls fn until it succeeds, fails for good, or attempts run out,
// doubling the pause after each transient failure.
func retry(ctx context.Context, attempts int, backoff time.Duration, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
		msg := strings.ToLower(err.Error())
		if ctx.Err() != nil || isAuthError(msg) || !isTransient(msg) || i == attempts-1 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff << i):
		}
	}
	return err
}

// RegistryHost returns the registry part of an image reference
// (docker.io when the reference names none).
func RegistryHost(ref string) string {
	first, _, found := strings.Cut(ref, "/")
	if found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return "docker.io"
}

var repoPattern = regexp.MustCompile(`^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)

// CheckRepository validates an image repository given without a tag.
func CheckRepository(repo string) error {
	if repo == "" {
		return errors.New("no image repository: pass --publish REPOSITORY (e.g. registry.gitlab.com/group/app) or set image: in onepipe.yaml")
	}
	if !repoPattern.MatchString(repo) {
		return fmt.Errorf("image repository %q is malformed: use host[:port]/path in lowercase, without a tag (e.g. acme.azurecr.io/shop)", repo)
	}
	return nil
}
