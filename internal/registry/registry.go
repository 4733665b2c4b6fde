// Package registry talks to an OCI registry directly, for what the engine
// cannot do without rebuilding: reading an image's labels by tag, and
// tagging an image that is already pushed with more tags, so that the
// release tag of a commit names the very manifest its branch pipeline
// pushed (same digest, nothing rebuilt).
//
// Credentials travel over HTTPS only; plain HTTP is used for registries on
// this machine's loopback alone.
package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Client reaches one repository.
type Client struct {
	// Repository is host[:port]/path, without tag.
	Repository string
	// Username and Password log in; empty: anonymous.
	Username, Password string
	// Transport carries the requests (http.DefaultTransport if nil).
	Transport http.RoundTripper
}

// Image is what a tag names.
type Image struct {
	// Digest is the manifest's (or index's) digest, sha256:...
	Digest string
	// Platforms lists os/arch[/variant] of the image (one for a plain
	// manifest, each of an index).
	Platforms []string
	// Labels are the image config's labels (of the first platform of an
	// index: onepipe labels every platform alike).
	Labels map[string]string
}

// ErrNotFound means the repository has no such tag.
var ErrNotFound = errors.New("no such tag")

func (c Client) repository() (name.Repository, error) {
	var opts []name.Option
	if loopback(c.Repository) {
		opts = append(opts, name.Insecure) // http only on this machine
	}
	return name.NewRepository(c.Repository, opts...)
}

func (c Client) options(ctx context.Context) []remote.Option {
	opts := []remote.Option{remote.WithContext(ctx)}
	if c.Username != "" || c.Password != "" {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: c.Username, Password: c.Password}))
	}
	if c.Transport != nil {
		opts = append(opts, remote.WithTransport(c.Transport))
	}
	return opts
}

// Get reads the image tag names; ErrNotFound when there is none.
func (c Client) Get(ctx context.Context, tag string) (Image, error) {
	repo, err := c.repository()
	if err != nil {
		return Image{}, fmt.Errorf("repository %s: %w", c.Repository, err)
	}
	desc, err := remote.Get(repo.Tag(tag), c.options(ctx)...)
	if err != nil {
		var te *transport.Error
		if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
			return Image{}, ErrNotFound
		}
		return Image{}, fmt.Errorf("read %s:%s: %w", c.Repository, tag, err)
	}
	out := Image{Digest: desc.Digest.String()}
	var img v1.Image
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return Image{}, fmt.Errorf("read %s:%s: %w", c.Repository, tag, err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return Image{}, fmt.Errorf("read %s:%s: %w", c.Repository, tag, err)
		}
		for _, d := range m.Manifests {
			if d.Platform != nil && d.Platform.OS != "unknown" {
				out.Platforms = append(out.Platforms, platform(*d.Platform))
				if img == nil {
					if img, err = idx.Image(d.Digest); err != nil {
						return Image{}, fmt.Errorf("read %s:%s: %w", c.Repository, tag, err)
					}
				}
			}
		}
	} else if img, err = desc.Image(); err != nil {
		return Image{}, fmt.Errorf("read %s:%s: %w", c.Repository, tag, err)
	}
	if img == nil {
		return out, nil
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return Image{}, fmt.Errorf("read %s:%s: %w", c.Repository, tag, err)
	}
	out.Labels = cfg.Config.Labels
	if !desc.MediaType.IsIndex() {
		out.Platforms = []string{platform(v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant})}
	}
	return out, nil
}

// Tag makes tag name the manifest at digest (sha256:...), as pushed: the
// same bytes, so the same digest.
func (c Client) Tag(ctx context.Context, digest, tag string) error {
	repo, err := c.repository()
	if err != nil {
		return fmt.Errorf("repository %s: %w", c.Repository, err)
	}
	desc, err := remote.Get(repo.Digest(digest), c.options(ctx)...)
	if err != nil {
		return fmt.Errorf("read %s@%s: %w", c.Repository, digest, err)
	}
	if err := remote.Tag(repo.Tag(tag), desc, c.options(ctx)...); err != nil {
		return fmt.Errorf("tag %s:%s: %w", c.Repository, tag, err)
	}
	return nil
}

func platform(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// loopback reports whether the repository's registry is on this machine.
func loopback(repo string) bool {
	host := repo
	for i, r := range repo {
		if r == '/' {
			host = repo[:i]
			break
		}
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
