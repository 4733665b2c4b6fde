package pipeline

import (
	"context"
	"fmt"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/project"
)

// A fresh engine builds the app's Dockerfile from nothing: Dagger cannot
// import a layer cache into a Dockerfile build. onepipe cuts a single-stage
// Dockerfile after its last RUN (project.SplitDockerfile): the part that
// installs (base image, system packages, the dependencies) is built on its
// own and kept in the registry cache, keyed by the base image's digest,
// that part's text and the content of the files it copies; the image is
// then built FROM that cached environment with the rest of the Dockerfile.
// A code edit on a fresh engine pulls the environment and copies the code.

// Files written into the build context for the cut build; the second
// Dockerfile is ignored by the build (.dockerignore), so COPY . never
// copies it.
const (
	envDockerfile = ".onepipe-env.Dockerfile"
	appDockerfile = ".onepipe-app.Dockerfile"
)

// imageEnv is the cached environment of the image, per platform.
type imageEnv struct {
	refs         map[dagger.Platform]string
	suffix       string
	dockerignore string
}

// build builds the image for platform: from the cached environment when
// there is one for it, else the Dockerfile as it is.
func (e *imageEnv) build(source *dagger.Directory, dockerfile string, platform dagger.Platform) *dagger.Container {
	ref, ok := "", false
	if e != nil {
		ref, ok = e.refs[platform]
	}
	if !ok {
		return source.DockerBuild(dagger.DirectoryDockerBuildOpts{Dockerfile: dockerfile, Platform: platform})
	}
	return source.
		WithNewFile(appDockerfile, "FROM "+ref+"\n"+e.suffix).
		WithNewFile(".dockerignore", e.dockerignore).
		DockerBuild(dagger.DirectoryDockerBuildOpts{Dockerfile: appDockerfile, Platform: platform}).
		WithoutLabel(LabelCache).
		WithoutLabel(LabelCacheKey).
		WithoutLabel(LabelCacheApp)
}

// withCachedImageEnv returns a copy of the pipeline whose images are built
// from their Dockerfile's environment kept in the cache (pulled when the
// registry has it, built and pushed when not). A Dockerfile that cannot be
// cut, or a registry that does not take the environment, leaves the build
// as it is.
func (p *Pipeline) withCachedImageEnv(ctx context.Context, c *RegistryCache) (*Pipeline, CacheOutcome, error) {
	if c == nil {
		return p, "", nil
	}
	text, err := p.source.File(p.opts.Dockerfile).Contents(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("pack %s: %w", p.opts.Dockerfile, Explain(err))
	}
	split, ok := project.SplitDockerfile(text)
	if !ok {
		return p, "", nil
	}
	ignore := ""
	if has, _ := p.source.Exists(ctx, ".dockerignore"); has {
		if ignore, err = p.source.File(".dockerignore").Contents(ctx); err != nil {
			return nil, "", fmt.Errorf("pack: .dockerignore: %w", Explain(err))
		}
	} else {
		ignore = ".dockerignore\n"
	}
	env := &imageEnv{refs: map[dagger.Platform]string{}, suffix: split.Suffix, dockerignore: ignore + "\n" + appDockerfile + "\n" + envDockerfile + "\n"}
	buildContext := p.source.Filter(dagger.DirectoryFilterOpts{Include: append(split.Sources, ".dockerignore")})
	digest, err := buildContext.Digest(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("pack: %w", Explain(err))
	}
	outcome := CacheOutcome("")
	for _, pl := range p.opts.Platforms {
		base, err := p.dag.Container(dagger.ContainerOpts{Platform: pl}).From(split.Base).ImageRef(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("pack %s (%s): %s: %w", p.opts.Dockerfile, pl, split.Base, Explain(err))
		}
		key := CacheKey(base, string(pl), split.Prefix, digest)
		_, o, err := c.Container(ctx, p.dag, "image-env", key, func() *dagger.Container {
			return buildContext.WithNewFile(envDockerfile, split.Prefix).
				DockerBuild(dagger.DirectoryDockerBuildOpts{Dockerfile: envDockerfile, Platform: pl})
		})
		if err != nil {
			return nil, "", fmt.Errorf("pack %s (%s): %w", p.opts.Dockerfile, pl, err)
		}
		if o == CacheBuilt {
			return p, o, nil // the registry did not take it: build as usual
		}
		env.refs[pl], outcome = c.Ref("image-env", key), o
	}
	q := *p
	q.imageEnv = env
	return &q, outcome, nil
}
