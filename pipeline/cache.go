package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"sync"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/imageref"
)

// Labels on the images the registry cache keeps, so that a user can find
// them and prune them (e.g. every image whose org.onepipe.cache is deps).
const (
	LabelCache    = "org.onepipe.cache"     // what it holds: deps, lint, k8s-binaries, cluster-base
	LabelCacheKey = "org.onepipe.cache.key" // the content key the tag is made from
	LabelCacheApp = "org.onepipe.cache.app" // the app that made it
)

// RegistryCache keeps, as images in a registry, what a fresh engine would
// otherwise build again: the dependency environment of the tests, the
// linter's, the local cluster's Kubernetes binaries and its base image. CI
// jobs start a new engine every time; with the cache they pull these
// instead of installing and compiling. Tags are KIND-KEY, the key a hash
// of every input, so a changed input makes a new image and nothing stale is
// ever used. A registry that refuses the cache costs one warning line, never
// a failed run.
type RegistryCache struct {
	// Repository holds the cache images, e.g.
	// registry.gitlab.com/acme/shop/onepipe-cache.
	Repository string
	// Username and Password log in (the publish credentials); empty:
	// anonymous.
	Username string
	Password *dagger.Secret
	// App names the app in the images' labels.
	App string
	// Log receives the warnings and what came from the cache.
	Log io.Writer

	mu     sync.Mutex
	warned bool
}

// CacheOutcome says where a cached container came from.
type CacheOutcome string

const (
	// CachePulled: the registry had it.
	CachePulled CacheOutcome = "pulled"
	// CachePushed: it was built (or found in the engine's cache) and pushed.
	CachePushed CacheOutcome = "pushed"
	// CacheBuilt: it was built; the registry did not take it (a warning
	// said why).
	CacheBuilt CacheOutcome = "built"
)

// Key hashes the inputs of a cached image into the tag's key.
func CacheKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Ref is the image reference of kind with key.
func (c *RegistryCache) Ref(kind, key string) string {
	return c.Repository + ":" + kind + "-" + key
}

// Container returns the image of kind with key from the registry when it
// has one; otherwise it builds it with build, pushes it and returns it. It
// fails only when the build fails: a registry that cannot be read or
// written is one warning line.
func (c *RegistryCache) Container(ctx context.Context, dag *dagger.Client, kind, key string, build func() *dagger.Container) (*dagger.Container, CacheOutcome, error) {
	ref := c.Ref(kind, key)
	pulled := c.auth(dag.Container()).From(ref)
	if _, err := pulled.Sync(ctx); err == nil {
		c.logf("cache: %s from %s", kind, ref)
		return pulled, CachePulled, nil
	} else if ctx.Err() != nil {
		return nil, "", err
	} else if !notFound(err) {
		c.warn(fmt.Sprintf("cache: cannot read %s (%s): building instead", ref, firstLineOf(Explain(err).Error())))
	}
	built := build().
		WithLabel(LabelCache, kind).
		WithLabel(LabelCacheKey, key).
		WithLabel(LabelCacheApp, c.App)
	if _, err := built.Sync(ctx); err != nil {
		return nil, "", err
	}
	pushed, err := c.auth(built).Publish(ctx, ref)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", err
		}
		c.warn(fmt.Sprintf("cache: the registry did not take %s (%s): the next fresh engine builds it again", ref, firstLineOf(Explain(err).Error())))
		return built, CacheBuilt, nil
	}
	c.logf("cache: %s pushed to %s", kind, ref)
	// the pushed image, as the next run will pull it: the steps on top of
	// it are then the same, and that run finds them in the engine's cache
	return c.auth(dag.Container()).From(pushed), CachePushed, nil
}

// Directory is Container for a directory: it travels as the only content
// of an image, at /cache.
func (c *RegistryCache) Directory(ctx context.Context, dag *dagger.Client, kind, key string, build func() *dagger.Directory) (*dagger.Directory, CacheOutcome, error) {
	ctr, outcome, err := c.Container(ctx, dag, kind, key, func() *dagger.Container {
		return dag.Container().WithDirectory("/cache", build())
	})
	if err != nil {
		return nil, "", err
	}
	return ctr.Directory("/cache"), outcome, nil
}

func (c *RegistryCache) auth(ctr *dagger.Container) *dagger.Container {
	if c.Password == nil {
		return ctr
	}
	return ctr.WithRegistryAuth(imageref.RegistryHost(c.Repository), c.Username, c.Password)
}

// warn prints one warning for the whole run: a refusing registry refuses
// every image, and one line says so.
func (c *RegistryCache) warn(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.warned {
		return
	}
	c.warned = true
	fmt.Fprintf(c.out(), "onepipe: warning: %s\n", msg)
}

func (c *RegistryCache) logf(format string, args ...any) {
	fmt.Fprintf(c.out(), format+"\n", args...)
}

func (c *RegistryCache) out() io.Writer {
	if c.Log == nil {
		return io.Discard
	}
	return c.Log
}

// notFound reports whether a pull failed because the registry has no such
// tag (a cache miss), not because it could not be asked.
func notFound(err error) bool {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"not found", "manifest unknown", "name unknown"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func firstLineOf(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return first
}

// withCachedDependencies returns a copy of the pipeline whose test
// dependencies come from the cache: the image is keyed by the runtime
// image's digest, the install command and the content of the declarations
// it installs (requirement files, pyproject.toml, the local paths they
// name), so a fresh engine pulls it instead of installing.
func (p *Pipeline) withCachedDependencies(ctx context.Context, c *RegistryCache) (*Pipeline, CacheOutcome, error) {
	files := p.testFiles()
	install := installCommand(files, p.opts.PyProjectRequirements)
	if c == nil || install == nil {
		return p, "", nil
	}
	runtime, err := p.dag.Container().From(p.opts.Runtime).ImageRef(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("runtime image %s: %w", p.opts.Runtime, Explain(err))
	}
	inputs := p.source
	if include, whole := installInputs(files, p.opts.RequirementPaths); !whole {
		inputs = p.source.Filter(dagger.DirectoryFilterOpts{Include: include})
	}
	digest, err := inputs.Digest(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("dependency declarations: %w", Explain(err))
	}
	deps, outcome, err := c.Container(ctx, p.dag, "deps", CacheKey(runtime, digest, strings.Join(install, "\x00")), p.Dependencies)
	if err != nil {
		return nil, "", err
	}
	q := *p
	q.deps = deps
	return &q, outcome, nil
}

// withCachedLintTools is withCachedDependencies for the linter's
// environment, keyed by the runtime image's digest and the install command.
func (p *Pipeline) withCachedLintTools(ctx context.Context, c *RegistryCache) (*Pipeline, CacheOutcome, error) {
	if c == nil {
		return p, "", nil
	}
	runtime, err := p.dag.Container().From(p.opts.Runtime).ImageRef(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("runtime image %s: %w", p.opts.Runtime, Explain(err))
	}
	tools, outcome, err := c.Container(ctx, p.dag, "lint", CacheKey(runtime, strings.Join(p.lintInstall(), "\x00")), p.LintTools)
	if err != nil {
		return nil, "", err
	}
	q := *p
	q.lintTools = tools
	return &q, outcome, nil
}
