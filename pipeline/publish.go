package pipeline

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/imageref"
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
		base = base.WithRegistryAuth(imageref.RegistryHost(reg.Repository), reg.Username, reg.Password)
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
	case EngineLost(err):
		return fmt.Errorf("publish %s: %w", ref, err)
	case isAuthError(msg):
		return fmt.Errorf("publish %s: %w: check the registry user and password (or token) and that it may push to this repository", ref, ErrRegistryAuth)
	case isTransient(msg):
		return fmt.Errorf("publish %s: registry %s unreachable after %d attempts (%v): check the address and that the registry is up", ref, imageref.RegistryHost(ref), PublishRetries, err)
	}
	return fmt.Errorf("publish %s: %w", ref, err)
}

// authPatterns match how the engine (buildkit, containerd's registry client)
// reports refused credentials: an HTTP status with its reason phrase or right
// after "request to URL:", the registry's error codes (UNAUTHORIZED, DENIED)
// and the token server's "insufficient_scope". Status codes count only as
// whole words in those places, never as digits inside a digest or a size.
var authPatterns = regexp.MustCompile(`\b401 unauthorized\b|\b403 forbidden\b` +
	`|request to \S+: (401|403)\b|\bstatus(?: code)?:? (401|403)\b` +
	`|\bunauthorized: |\bdenied: |requested access to the resource is denied` +
	`|\binsufficient_scope\b|\bauthorization failed\b|\bauthentication required\b` +
	`|\bno basic auth credentials\b|\bincorrect username or password\b`)

// transientPatterns match failures worth another attempt: the network, and a
// registry that is overloaded or briefly down (429, 502, 503, 504 as statuses).
var transientPatterns = regexp.MustCompile(`\b(429 too many requests|502 bad gateway|503 service unavailable|504 gateway timeout)\b` +
	`|request to \S+: (429|502|503|504)\b|\bstatus(?: code)?:? (429|502|503|504)\b` +
	`|\btoomanyrequests\b|\btoo many requests\b|\bunavailable: ` +
	`|\bconnection refused\b|\bconnection reset\b|\bbroken pipe\b|\buse of closed network connection\b|\bi/o timeout\b|\btimeout\b|\btimed out\b` +
	`|\beof\b|\bno such host\b|\btls handshake\b|\btemporar(y|ily)\b`)

// isAuthError reports whether a lowercased engine error says the registry
// refused the credentials.
func isAuthError(msg string) bool { return authPatterns.MatchString(msg) }

// isTransient reports whether a lowercased engine error is worth retrying.
func isTransient(msg string) bool { return transientPatterns.MatchString(msg) }

// retry calls fn until it succeeds, fails for good, or attempts run out,
// doubling the pause after each transient failure.
func retry(ctx context.Context, attempts int, backoff time.Duration, fn func() error) error {
	var err error
	for i := 0; i < attempts; i++ {
		if err = fn(); err == nil {
			return nil
		}
		msg := strings.ToLower(err.Error())
		if ctx.Err() != nil || EngineLost(err) || isAuthError(msg) || !isTransient(msg) || i == attempts-1 {
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

// CheckRepository validates an image repository: a registry host, then a
// lowercase path, without tag or digest (see imageref.CheckRepository).
func CheckRepository(repo string) error {
	if repo == "" {
		return errors.New("no image repository: pass --publish REPOSITORY (e.g. registry.gitlab.com/group/app) or set image: in onepipe.yaml")
	}
	return imageref.CheckRepository(repo)
}
