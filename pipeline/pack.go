package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"dagger.io/dagger"
	"golang.org/x/sync/errgroup"
)

// OCI label keys stamped on every image.
const (
	LabelSource   = "org.opencontainers.image.source"
	LabelRevision = "org.opencontainers.image.revision"
	LabelCreated  = "org.opencontainers.image.created"
	LabelTitle    = "org.opencontainers.image.title"
	// LabelSourceDigest is the digest of the source the image was built
	// from (Dockerfile included): a release promotes an image only when it
	// matches.
	LabelSourceDigest = "org.onepipe.source.digest"
)

// Image builds the app's Dockerfile for one platform and labels the result.
// The build is cached by the engine layer by layer, so an unchanged
// requirements.txt skips the install step of a well-ordered Dockerfile.
func (p *Pipeline) Image(platform dagger.Platform) *dagger.Container {
	ctr := p.imageEnv.build(p.source, p.opts.Dockerfile, platform).WithLabel(LabelTitle, p.opts.App)
	if l := p.opts.Labels; l.Source != "" {
		ctr = ctr.WithLabel(LabelSource, l.Source)
	}
	if l := p.opts.Labels; l.SourceDigest != "" {
		ctr = ctr.WithLabel(LabelSourceDigest, l.SourceDigest)
	}
	if l := p.opts.Labels; l.Revision != "" {
		ctr = ctr.WithLabel(LabelRevision, l.Revision)
	}
	if l := p.opts.Labels; !l.Created.IsZero() {
		ctr = ctr.WithLabel(LabelCreated, l.Created.UTC().Format(time.RFC3339))
	}
	return ctr
}

// Images builds the image for every platform in Options.Platforms, in order.
func (p *Pipeline) Images() []*dagger.Container {
	out := make([]*dagger.Container, len(p.opts.Platforms))
	for i, pl := range p.opts.Platforms {
		out[i] = p.Image(pl)
	}
	return out
}

// ImageTarball is the image (every platform) as an OCI tarball.
func (p *Pipeline) ImageTarball() *dagger.File {
	imgs := p.Images()
	return p.dag.Container().AsTarball(dagger.ContainerAsTarballOpts{
		PlatformVariants: imgs,
		MediaTypes:       dagger.ImageMediaTypesOcimediaTypes,
	})
}

// CheckPack builds the image for every platform, in parallel, and checks
// that each build yielded its platform.
func (p *Pipeline) CheckPack(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	for i, img := range p.Images() {
		pl := p.opts.Platforms[i]
		g.Go(func() error {
			if _, err := img.Sync(gctx); err != nil {
				return fmt.Errorf("pack %s (%s): %w", p.opts.Dockerfile, pl, Explain(err))
			}
			got, err := img.Platform(gctx)
			if err != nil {
				return fmt.Errorf("pack %s (%s): %w", p.opts.Dockerfile, pl, Explain(err))
			}
			return checkPlatform(pl, got)
		})
	}
	return g.Wait()
}

// checkPlatform fails when a build for one platform produced an image for
// another: a base image without that platform's variant yields the wrong
// binaries under the right name, the arm64-laptop/amd64-cluster failure
// onepipe exists to prevent.
func checkPlatform(want, got dagger.Platform) error {
	if samePlatform(want, got) {
		return nil
	}
	return fmt.Errorf("pack: building for %s produced a %s image: the Dockerfile's base image has no %s variant in its registry (or the engine cannot build %s): use a multi-platform base image or drop %s from --platform",
		want, got, want, want, want)
}

// samePlatform compares os/arch[/variant], ignoring a missing variant.
func samePlatform(a, b dagger.Platform) bool {
	pa, pb := strings.Split(string(a), "/"), strings.Split(string(b), "/")
	if len(pa) < 2 || len(pb) < 2 {
		return a == b
	}
	if pa[0] != pb[0] || pa[1] != pb[1] {
		return false
	}
	return len(pa) < 3 || len(pb) < 3 || pa[2] == pb[2]
}
